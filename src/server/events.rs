//! The event-driven connection layer (Linux, [`IoModel::Events`]).
//!
//! The workers accept the connections themselves, as nginx's worker
//! processes do: the listening socket is in every group's epoll set
//! (`EPOLLEXCLUSIVE`: a new connection wakes one group, not all), and the
//! worker that gets its report accepts (`accept4`, the socket never
//! blocking from the start), registers the connection
//! ([`admission::admit`]: the cap, `503` past it), reads and serves its
//! first request if it has arrived, and parks it in its own group. No
//! thread hands connections over: an acceptor thread cost a wake-up of
//! the worker and contended locks per connection (measured on
//! `Connection: close` load, one connection per request: 1.8 `futex` calls
//! per request). After an accept error other than "none waiting"
//! (`EMFILE`), the group's workers stop watching the listener for
//! [`ACCEPT_PAUSE`] (until the timer's next tick past it), rather than
//! being woken for it in a loop. Shutdown takes the listener out of the
//! sets and closes it ([`EventLoop::stop_accepting`]).
//!
//! A connection that waits for its socket (for the next request on a
//! keep-alive connection, for the rest of a head or body, for room to send
//! the output its client does not read, or lingering after its last
//! response) holds no thread: it is *parked* in a table, its socket
//! registered with an `epoll` instance, for reading or (output
//! waiting) for writing. There is one instance per group of workers,
//! [`Config::workers`] groups of one worker each, and a connection belongs
//! to one group for its life (by its slot, round robin), as an nginx
//! connection belongs to one worker process. A worker waits on its group's
//! instance; the kernel hands each report to one waiter, which
//! takes the connection out of the table, serves what it can (reading the
//! head and body that arrived, running the handler and sending the
//! response, none of which blocks on the socket), and parks it again.
//!
//! Registrations are edge-triggered and stay armed while the connection
//! is served: parking it again for reading, as after every keep-alive
//! response, costs no system call (a one-shot registration cost an
//! `epoll_ctl` per request to re-arm: measured with `strace -c` on `GET
//! -c50` keep-alive load, 1.008 per request, against none for nginx). Two
//! things make that safe. A report that comes while a worker has the
//! connection (bytes arriving as it answers) finds the slot empty and
//! marks it `missed`: the worker, parking it, serves it again instead. And
//! an edge reports only bytes that arrive after it: a connection is parked
//! without re-registering only if its last read took all the socket had
//! ([`Parked::read_all`]) and no report said the peer closed (a read that
//! takes a request leaves the end of the stream that came with it),
//! otherwise (and for any change of interest) the registration is
//! modified, which reports at once what is ready.
//!
//! Why: with a thread per connection, every request costs a switch to the
//! connection's thread and back. Here a busy worker goes from one ready
//! connection to the next without sleeping, as nginx's event loop does; an
//! idle keep-alive connection costs a table entry, not a thread. Groups
//! rather than one shared instance: an idle worker is not woken for a
//! connection another worker could have served next (with one shared
//! instance, 8 workers on this 2-core machine cost 0.5-0.9 context switches
//! per request).
//!
//! Each connection has a slot in the table, with its own lock (so workers
//! serving different connections never contend), and each registration
//! gets a fresh token: the slot's index and generation. Whoever takes the
//! connection out of its slot owns it; a report whose generation is not the
//! slot's is stale and ignored.
//!
//! Deadlines are kept by a timer thread that never blocks on a socket. An
//! idle or lingering connection past its deadline, or one whose output the
//! socket did not take in time, is closed by the timer (closing cannot
//! block). One that is owed a `408` (a head or body unfinished), or idle
//! with bytes waiting (a request whose report sits behind a held-up
//! worker), is registered again for writability (or bytes) under a new
//! token, flagged, so that a worker takes it soon: bytes to read are
//! served first.
//!
//! A connection that sends a body its producer sends over time
//! ([`body_channel`]) and finds nothing to send waits parked too, without
//! a deadline: its socket registered only for the client hanging up, and a
//! waker left with the producer ([`Parked::await_producer`]). The waker
//! (called on the producer's thread when it sends, finishes or goes) puts
//! the connection's token in its group's queue and, unless one is pending,
//! writes a byte to the group's notify socket, registered edge-triggered
//! (token [`NOTIFY`]); the worker that gets that report moves the queued
//! tokens to its backlog and serves them as reports. No send is lost: the
//! waker is left under the channel's lock after checking that nothing came
//! (else the connection is served again at once), both under the slot's
//! lock while the connection is parked, which the waker takes to check
//! that the connection is still parked there.
//!
//! A wait takes up to [`BATCH`] reports at once. A worker held up by one of
//! them (a handler that blocks) gets the rest of its
//! batch handed back to its group at the timer's next tick but one (the
//! first sees no progress, the second acts); if every worker of a group is
//! held up (by handlers: nothing else blocks) and a report of the group
//! waits, the timer adds workers to the group (doubling it, up to the
//! connection cap in all). Extra workers leave when idle.
//!
//! [`Config::workers`]: super::Config::workers
//! [`body_channel`]: super::body_channel
//! [`IoModel::Events`]: super::IoModel::Events

use std::boxed::Box;
use std::io::{self, Read, Write};
use std::mem;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::{Duration, Instant};
use std::vec::Vec;
use std::{eprintln, vec};

use super::admission::{self, AcceptErrors, AcceptFailure, Admitted, ACCEPT_PAUSE};
use super::body_channel::Waker;
use super::config::{later, Wait};
use super::connection::{Context, Expiry, Next, Parked};
use super::epoll::{self, has_unread_bytes, Epoll, Interest, Ready};

/// The token of the wake-up socket (a connection's token never has all
/// bits set: its index is below the connection cap).
const WAKE: u64 = u64::MAX;
/// The token of the listening socket (a connection's index is below the
/// connection cap, itself below `u32::MAX`: [`EventLoop::start`]).
const LISTENER: u64 = u64::MAX - 1;
/// The token of a group's notify socket: connections woken by their
/// producers wait in the group's queue ([`Notify`]).
const NOTIFY: u64 = u64::MAX - 2;
/// How long a worker serves reports before it accepts again, within a
/// batch that reported new connections (see [`work`]).
const ACCEPT_AGAIN: Duration = Duration::from_millis(2);
/// The listen queue's length in this model (nginx's default on Linux; the
/// kernel caps it at `net.core.somaxconn`).
const LISTEN_BACKLOG: libc::c_int = 511;
/// Connections accepted per report of the listener, at most, before the
/// worker goes on with the other reports of its batch (the listener,
/// level-triggered, is reported again while connections wait). As many as
/// std's listen queue holds (128): accepting is cheap (`accept4` and one
/// `epoll_ctl`; the first request is served at its own report), and a
/// burst of new connections is then registered at once rather than a few
/// per batch, each batch behind up to 15 reports that may be heavy.
const ACCEPT_BATCH: usize = 128;
/// How often the timer looks for expired deadlines and held-up workers.
const TICK: Duration = Duration::from_millis(50);
/// A worker beyond the ones kept exits after this long without work.
const IDLE_EXIT_MS: i32 = 2_000;

struct Entry {
    conn: Parked,
    deadline: Instant,
    /// What the socket is registered for (unless `expired`).
    interest: Interest,
    /// Re-registered by the timer because the deadline passed while a
    /// worker was needed (a `408` to send, or bytes to read).
    expired: bool,
}

/// One connection's place in the table (not the shutdown registry's `Slot`).
#[derive(Default)]
struct Place {
    /// Bumped at every new registration and by the timer; the low half of
    /// the token.
    generation: u32,
    /// The connection, while it waits.
    entry: Option<Entry>,
    /// What the socket is registered for with the kernel, and under the
    /// current token (`None` before the first registration).
    registered: Option<Interest>,
    /// A report for the connection came while a worker had it out of the
    /// slot: it must be served again rather than parked.
    missed: bool,
    /// A report said the peer closed (or the connection failed): never
    /// parked without `epoll_ctl` again (a short read left the end behind).
    hup: bool,
}

fn token(index: usize, generation: u32) -> u64 {
    ((index as u64) << 32) | u64::from(generation)
}

/// The slot index and generation of a [`token`].
fn split(token: u64) -> (usize, u32) {
    ((token >> 32) as usize, token as u32)
}

/// What a worker shares with the timer, on a cache line of its own.
#[repr(align(64))]
struct WorkerState {
    /// The group whose epoll instance the worker waits on.
    group: usize,
    /// Bumped by the worker at each wait and each report served.
    progress: AtomicU64,
    /// The progress the timer saw at its last tick (only it writes this).
    seen: AtomicU64,
    /// In `epoll_wait`.
    waiting: AtomicBool,
    /// Reports taken by the worker's last wait and not yet served, last
    /// first. The timer hands them back to the others when the worker is
    /// held up.
    backlog: Mutex<Vec<Ready>>,
}

impl WorkerState {
    /// Held up: not waiting, and no progress since the timer's last tick.
    /// `waiting` is loaded first: a worker stores `false` there (Release)
    /// only after counting its progress, so a timer that sees it not
    /// waiting (Acquire) also sees the progress of its wake-up.
    fn held_up(&self) -> bool {
        if self.waiting.load(Ordering::Acquire) {
            return false;
        }
        let progress = self.progress.load(Ordering::Relaxed);
        let seen = self.seen.swap(progress, Ordering::Relaxed);
        progress == seen
    }
}

/// The listening socket, shared by the workers that accept from it.
struct Listening {
    /// `None` once the server stops accepting (the socket is closed).
    listener: Option<TcpListener>,
    /// Per group: accepting is paused until then after an accept error
    /// (the listener is out of the group's epoll set meanwhile, so that a
    /// lasting error such as `EMFILE` does not wake the group in a loop).
    paused: Vec<Option<Instant>>,
    /// Pacing of the error log, server-wide.
    errors: AcceptErrors,
}

/// A group's connections woken by their producers: their tokens, and a
/// socket pair whose reading end is registered edge-triggered ([`NOTIFY`]).
struct Notify {
    queue: Mutex<Woken>,
    reader: UnixStream,
    writer: UnixStream,
}

#[derive(Default)]
struct Woken {
    tokens: Vec<u64>,
    /// A byte was written since the last [`Notify::take`]: its report will
    /// take these tokens too, so a push writes no other.
    signalled: bool,
}

impl Notify {
    fn new() -> io::Result<Notify> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Notify {
            queue: Mutex::new(Woken::default()),
            reader,
            writer,
        })
    }

    /// Queues `token`, then writes a byte unless one was written since the
    /// last [`take`](Notify::take): a worker gets a report after the token
    /// is queued. (A full socket, too, means bytes written since the last
    /// drain, whose report is still to come.)
    fn push(&self, token: u64) {
        let signal = {
            let mut woken = lock(&self.queue);
            woken.tokens.push(token);
            !mem::replace(&mut woken.signalled, true)
        };
        if signal {
            let _ = (&self.writer).write(&[1]);
        }
    }

    /// Again a report for what is queued (its report was taken by the
    /// timer).
    fn again(&self) {
        let _ = (&self.writer).write(&[1]);
    }

    /// Drains the socket, then takes the queue: a token queued after that
    /// comes with a byte (`signalled` is cleared here), which makes another
    /// report; one queued before is taken here.
    fn take(&self) -> Vec<u64> {
        let mut scratch = [0u8; 64];
        while let Ok(1..) = (&self.reader).read(&mut scratch) {}
        let mut woken = lock(&self.queue);
        woken.signalled = false;
        mem::take(&mut woken.tokens)
    }
}

struct Inner {
    ctx: Arc<Context>,
    /// This, for the wakers left with producers (which must not keep the
    /// layer alive).
    me: Weak<Inner>,
    /// One per group: connections woken by their producers.
    notify: Vec<Notify>,
    /// One epoll instance per group of workers; a connection belongs to
    /// group `slot index % groups`. Each also watches the listener.
    epolls: Vec<Epoll>,
    slots: Vec<Mutex<Place>>,
    /// Per group: indexes of its slots (`index % groups == group`) that no
    /// connection holds. A worker puts a connection it accepts in one of
    /// its own group's, so that the connection stays with it.
    free: Vec<Mutex<Vec<usize>>>,
    listening: Mutex<Listening>,
    /// Workers alive, and what each shares with the timer.
    threads: AtomicUsize,
    workers: Mutex<Vec<Arc<WorkerState>>>,
    stop: AtomicBool,
    /// The most workers there may be (one per group are kept).
    cap: usize,
    /// Readable (at end of stream) once the loop stops: wakes every waiter.
    _wake_reader: UnixStream,
}

/// The running layer. [`stop`](EventLoop::stop) ends its threads and
/// closes the connections still parked.
pub(crate) struct EventLoop {
    inner: Arc<Inner>,
    wake_writer: Option<UnixStream>,
}

impl EventLoop {
    /// Starts `ctx.config.workers` workers (at least one) and the timer,
    /// with a slot for each of `ctx.config.max_connections` (below
    /// `u32::MAX`), and has the workers accept from `listener`, as nginx's
    /// worker processes do: a connection goes from the listen queue to the
    /// worker that serves it with no thread in between.
    pub(crate) fn start(ctx: Arc<Context>, listener: TcpListener) -> io::Result<EventLoop> {
        let (wake_reader, wake_writer) = UnixStream::pair()?;
        let connections = ctx.config.max_connections.clamp(1, u32::MAX as usize - 1);
        let keep = ctx.config.workers.max(1);
        // Workers accept only when the listener reports a connection, and
        // must not block in `accept` when another group took it first.
        listener.set_nonblocking(true)?;
        // Inherited by the connections (see `Connection::new`).
        epoll::set_nodelay(&listener)?;
        // A burst of connections waits in the listen queue while the
        // workers serve (no thread does nothing but accept): std's 128 can
        // overflow, and a connection past it is taken only when the kernel
        // retries the handshake, a second or more later. nginx's default.
        epoll::set_backlog(&listener, LISTEN_BACKLOG)?;
        let mut epolls = Vec::with_capacity(keep);
        let mut notify = Vec::with_capacity(keep);
        for _ in 0..keep {
            let epoll = Epoll::new()?;
            epoll.add_level(wake_reader.as_raw_fd(), WAKE)?;
            epoll.add_listener(listener.as_raw_fd(), LISTENER)?;
            let group = Notify::new()?;
            epoll.add_edge(group.reader.as_raw_fd(), NOTIFY)?;
            epolls.push(epoll);
            notify.push(group);
        }
        let cap = connections.max(keep);
        let mut slots = Vec::with_capacity(connections);
        slots.resize_with(connections, Mutex::default);
        // Popped from the end: low indexes first.
        let free = (0..keep)
            .map(|group| Mutex::new((group..connections).step_by(keep).rev().collect()))
            .collect();
        let inner = Arc::new_cyclic(|me| Inner {
            ctx,
            me: me.clone(),
            notify,
            epolls,
            slots,
            free,
            listening: Mutex::new(Listening {
                listener: Some(listener),
                paused: vec![None; keep],
                errors: AcceptErrors::default(),
            }),
            threads: AtomicUsize::new(0),
            workers: Mutex::new(vec![]),
            stop: AtomicBool::new(false),
            cap,
            _wake_reader: wake_reader,
        });
        let event_loop = EventLoop {
            inner,
            wake_writer: Some(wake_writer),
        };
        for group in 0..keep {
            spawn_worker(&event_loop.inner, group)?;
        }
        let timer_inner = Arc::clone(&event_loop.inner);
        thread::Builder::new()
            .name("httpwire-timer".into())
            .stack_size(64 * 1024)
            .spawn(move || timer(&timer_inner))?;
        Ok(event_loop)
    }

    /// Stops accepting: the listener leaves every epoll set and is closed
    /// (new connections are refused). Connections already accepted go on.
    pub(crate) fn stop_accepting(&self) {
        self.inner.stop_accepting();
    }

    /// Stops the workers and the timer (they exit as soon as they wake),
    /// and closes the connections parked (a shutdown cut them off already;
    /// this frees their descriptors even if a handler never returns).
    pub(crate) fn stop(&mut self) {
        self.inner.stop_accepting();
        self.inner.stop.store(true, Ordering::SeqCst);
        // The reader end sees the end of the stream: level-triggered, it
        // wakes every waiting worker.
        self.wake_writer = None;
        for (index, slot) in self.inner.slots.iter().enumerate() {
            let entry = lock(slot).entry.take();
            if let Some(entry) = entry {
                self.inner.close(index, entry.conn);
            }
        }
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A panic while holding one of these locks cannot leave its data
/// half-updated, so a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    /// The epoll instance of the connection in slot `index`.
    fn epoll_of(&self, index: usize) -> &Epoll {
        &self.epolls[index % self.epolls.len()]
    }

    /// Parks `conn` for what it waits for next (`new`: registering its
    /// socket for the first time), or closes it. Returns it if it must be
    /// served again at once (a report came for it meanwhile).
    #[must_use]
    fn settle(&self, index: usize, conn: Parked, next: Next, new: bool) -> Option<Parked> {
        match next {
            Next::Readable(deadline) => self.park(index, conn, deadline, Interest::Read, new),
            Next::Writable(deadline) => self.park(index, conn, deadline, Interest::Write, new),
            // No deadline: the producer decides (a shutdown's cut-off ends
            // it, as a hang-up).
            Next::Producer => {
                let never = later(Instant::now(), Duration::MAX);
                self.park(index, conn, never, Interest::Hangup, new)
            }
            Next::Close => {
                self.close(index, conn);
                None
            }
            Next::Switch => {
                // Out of the set (a new connection is not in it yet) and
                // the table, while the callback keeps the socket open.
                if !new {
                    let _ = self.epoll_of(index).delete(conn.stream().as_raw_fd());
                }
                self.release(index);
                conn.switch(&self.ctx);
                None
            }
        }
    }

    /// Settles a connection a worker has served (`served`: what it did, or
    /// its panic), and serves it again for as long as reports for it came
    /// while it was out of its slot.
    fn settle_served(&self, index: usize, mut served: thread::Result<(Next, Parked)>, new: bool) {
        let mut new = new;
        loop {
            let Ok((next, conn)) = served else {
                self.release(index);
                return;
            };
            let Some(conn) = self.settle(index, conn, next, new) else {
                return;
            };
            new = false;
            served = panic::catch_unwind(AssertUnwindSafe(|| conn.on_ready(&self.ctx)));
        }
    }

    /// Puts `conn` in its slot, its socket registered for `interest`, under
    /// the slot's lock so that the timer cannot re-register it in between;
    /// or returns it if a report came for it while it was out of the slot.
    /// The registration is left as it is (no system call) when it is
    /// already for the same interest, no hang-up was reported, and (for
    /// reading) the connection's last read took all the socket had: what
    /// comes since was, or will be, reported. One that waits for its
    /// producer ([`Interest::Hangup`]) leaves it a waker first, or is
    /// returned if the producer did something since it looked.
    fn park(
        &self,
        index: usize,
        mut conn: Parked,
        deadline: Instant,
        interest: Interest,
        new: bool,
    ) -> Option<Parked> {
        let slot = self.slots.get(index)?;
        let fd = conn.stream().as_raw_fd();
        let mut slot = lock(slot);
        if new {
            slot.generation = slot.generation.wrapping_add(1);
            slot.missed = false;
            slot.hup = false;
            slot.registered = None;
        } else if mem::take(&mut slot.missed) {
            return Some(conn);
        }
        if interest == Interest::Hangup && !conn.await_producer(self.waker(index, slot.generation))
        {
            return Some(conn);
        }
        // An edge-triggered registration for the same interest reports
        // what comes later; what came before is read (a read that took
        // everything), or seen (no hang-up reported).
        let armed = slot.registered == Some(interest)
            && !slot.hup
            && match interest {
                Interest::Read => conn.read_all(),
                Interest::Hangup => true,
                Interest::Write | Interest::Any => false,
            };
        slot.entry = Some(Entry {
            conn,
            deadline,
            interest,
            expired: false,
        });
        if armed {
            return None;
        }
        let token = token(index, slot.generation);
        let epoll = self.epoll_of(index);
        let registered = if new {
            epoll.add(fd, interest, token)
        } else {
            epoll.modify(fd, interest, token)
        };
        match registered {
            Ok(()) => slot.registered = Some(interest),
            Err(e) => {
                eprintln!("httpwire: epoll_ctl failed, connection closed: {e}");
                self.evict(index, slot);
            }
        }
        None
    }

    /// What a connection parked in slot `index` under `generation` leaves
    /// with its producer: it is queued for a worker if it is still parked
    /// there (checked under the slot's lock, which `park` holds until it is
    /// parked).
    fn waker(&self, index: usize, generation: u32) -> Waker {
        let me = self.me.clone();
        Box::new(move || {
            let Some(inner) = me.upgrade() else {
                return;
            };
            let Some(slot) = inner.slots.get(index) else {
                return;
            };
            let slot = lock(slot);
            if slot.generation == generation && slot.entry.is_some() {
                inner.notify_of(index).push(token(index, generation));
            }
        })
    }

    /// The notify queue of the connection in slot `index`'s group.
    fn notify_of(&self, index: usize) -> &Notify {
        &self.notify[index % self.notify.len()]
    }

    /// Frees the slot of a connection that ended.
    fn release(&self, index: usize) {
        if let Some(free) = self.free.get(index % self.free.len()) {
            lock(free).push(index);
        }
    }

    /// A free slot, one of `group`'s if it has one (then the connection
    /// stays with the worker that accepted it), else another group's.
    fn take_slot(&self, group: usize) -> Option<usize> {
        let groups = self.free.len();
        (0..groups).find_map(|i| lock(&self.free[(group + i) % groups]).pop())
    }

    /// The listener reported connections to a worker of `group`: accepts
    /// up to [`ACCEPT_BATCH`] of them and starts each (reading and serving
    /// its first request if it has arrived). Once shutdown has begun,
    /// stops accepting instead.
    fn accept(&self, group: usize) {
        for _ in 0..ACCEPT_BATCH {
            if self.ctx.shared.stopping() {
                self.stop_accepting();
                return;
            }
            // The lock is held for the `accept4` only, not while the
            // connection is served: a handler may block.
            let accepted = {
                let mut listening = lock(&self.listening);
                let Some(listener) = listening.listener.as_ref() else {
                    return;
                };
                match epoll::accept_nonblocking(listener) {
                    Ok(accepted) => accepted,
                    Err(e) => match listening.errors.failed(&e) {
                        AcceptFailure::Drained => return,
                        AcceptFailure::Retry => continue,
                        AcceptFailure::Pause => {
                            self.pause_accepting(&mut listening, group);
                            return;
                        }
                    },
                }
            };
            let (stream, remote) = accepted;
            self.admit(group, stream, remote);
        }
    }

    /// Registers a connection a worker of `group` accepted (or answers
    /// `503` past the cap) and starts it: it waits for its first request
    /// like any other.
    fn admit(&self, group: usize, stream: TcpStream, remote: SocketAddr) {
        let ctx = &self.ctx;
        let Some(Admitted { slot, id }) = admission::admit(ctx, stream, remote) else {
            return;
        };
        let conn = Parked::accept(ctx, slot, remote, id);
        let Some(index) = self.take_slot(group) else {
            // Not expected: a slot is freed before the registration ends.
            admission::reject(ctx, conn.stream(), remote);
            return;
        };
        let served = panic::catch_unwind(AssertUnwindSafe(|| conn.start(ctx)));
        self.settle_served(index, served, true);
    }

    /// Takes the listener out of `group`'s epoll set for
    /// [`ACCEPT_PAUSE`] (at least; the timer puts it back:
    /// [`resume_accepting`](Inner::resume_accepting)).
    fn pause_accepting(&self, listening: &mut Listening, group: usize) {
        let (Some(listener), Some(paused), Some(epoll)) = (
            listening.listener.as_ref(),
            listening.paused.get_mut(group),
            self.epolls.get(group),
        ) else {
            return;
        };
        if paused.is_none() && epoll.delete(listener.as_raw_fd()).is_ok() {
            *paused = Some(Instant::now() + ACCEPT_PAUSE);
        }
    }

    /// Puts the listener back in the epoll sets of the groups whose pause
    /// is over (the timer, at each tick).
    fn resume_accepting(&self, now: Instant) {
        let mut listening = lock(&self.listening);
        let Listening {
            listener, paused, ..
        } = &mut *listening;
        let Some(listener) = listener.as_ref() else {
            return;
        };
        for (group, paused) in paused.iter_mut().enumerate() {
            if paused.map_or(true, |until| now < until) {
                continue;
            }
            let Some(epoll) = self.epolls.get(group) else {
                continue;
            };
            match epoll.add_listener(listener.as_raw_fd(), LISTENER) {
                Ok(()) => *paused = None,
                // Tried again at the next tick.
                Err(e) => eprintln!("httpwire: cannot watch the listener again: {e}"),
            }
        }
    }

    /// Takes the listener out of every epoll set and closes it, once.
    fn stop_accepting(&self) {
        let mut listening = lock(&self.listening);
        let Some(listener) = listening.listener.take() else {
            return;
        };
        for (epoll, paused) in self.epolls.iter().zip(&listening.paused) {
            if paused.is_none() {
                let _ = epoll.delete(listener.as_raw_fd());
            }
        }
        drop(listener);
    }

    /// Takes the connection out of its slot (whose lock `slot` is) and
    /// closes it, outside the lock.
    fn evict(&self, index: usize, mut slot: MutexGuard<'_, Place>) {
        let entry = slot.entry.take();
        drop(slot);
        if let Some(entry) = entry {
            self.close(index, entry.conn);
        }
    }

    /// Ends a connection taken out of its slot: the slot is freed first, so
    /// that one is free whenever the registry (the connection cap) has
    /// room. Dropping a parked connection does not block on its socket: its
    /// write buffer is empty, and closing the socket does not linger. What
    /// a handler left in it (a sink, a body reader) is dropped too: a
    /// panic in its `Drop` must not end this thread (a worker, or the
    /// timer), which would hold the slot and the thread count forever.
    fn close(&self, index: usize, conn: Parked) {
        self.release(index);
        let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(conn)));
    }

    /// Acts on a report taken by a worker of `group`: new connections to
    /// accept, or a parked connection ready.
    fn serve(&self, group: usize, report: Ready) {
        if report.token == LISTENER {
            self.accept(group);
        } else {
            self.dispatch(report);
        }
    }

    /// Serves the connection a report is for, if it is still parked under
    /// that token.
    fn dispatch(&self, report: Ready) {
        let (index, generation) = split(report.token);
        let Some(slot) = self.slots.get(index) else {
            return;
        };
        let entry = {
            let mut slot = lock(slot);
            if slot.generation != generation {
                return;
            }
            let entry = slot.entry.take();
            // A worker has the connection: it serves it again when it
            // parks it (an edge is reported once).
            slot.missed |= entry.is_none();
            slot.hup |= report.hup;
            entry
        };
        let Some(Entry {
            conn,
            expired,
            interest,
            ..
        }) = entry
        else {
            return;
        };
        if interest == Interest::Hangup && report.hup {
            // The client hung up while the body waited for its producer
            // (who then gets `Gone`).
            self.close(index, conn);
            return;
        }
        let ctx = &self.ctx;
        // A bug in the connection code must not kill the worker: the
        // connection is closed and unregistered as the stack unwinds.
        let served = panic::catch_unwind(AssertUnwindSafe(|| {
            // Bytes to read come first, even past the deadline: a request
            // that arrived in time is served, and an unfinished head still
            // gets its 408 from the read path.
            if expired && !report.readable {
                conn.on_deadline(ctx)
            } else {
                conn.on_ready(ctx)
            }
        }));
        self.settle_served(index, served, false);
    }

    /// Deals with the connections whose deadline passed. One with bytes
    /// waiting (a request whose report sits behind a held-up worker) or
    /// owed a worker ([`Expiry::Resume`]: a `408`, or a graceful close after
    /// a drain) is re-registered for a worker; an idle or lingering one, or
    /// one whose output the socket did not take, is closed here. One
    /// re-registered whose socket never became writable is dropped after
    /// the write timeout.
    fn expire(&self, now: Instant) {
        let config = &self.ctx.config;
        for (index, slot) in self.slots.iter().enumerate() {
            let mut slot = lock(slot);
            let Some(entry) = slot.entry.as_mut() else {
                continue;
            };
            let due = if entry.expired {
                config.deadline(Wait::Answer, entry.deadline)
            } else {
                entry.deadline
            };
            if now < due {
                continue;
            }
            let fd = entry.conn.stream().as_raw_fd();
            let needs_worker = !entry.expired
                && match entry.conn.expiry() {
                    Expiry::Resume => true,
                    Expiry::Close => has_unread_bytes(fd),
                    Expiry::Drop => false,
                };
            if !needs_worker {
                self.evict(index, slot);
                continue;
            }
            entry.expired = true;
            slot.generation = slot.generation.wrapping_add(1);
            let token = token(index, slot.generation);
            match self.epoll_of(index).modify(fd, Interest::Any, token) {
                Ok(()) => slot.registered = Some(Interest::Any),
                Err(_) => self.evict(index, slot),
            }
        }
    }

    /// Registers again a parked connection whose report a held-up worker
    /// (or the timer) took, so that another worker gets it. Returns whether
    /// a worker is needed for it: not if the connection is with a worker
    /// already (which serves it again), or gone.
    fn hand_back(&self, report: Ready) -> bool {
        // The listener is level-triggered: reported again, nothing to do.
        if report.token == LISTENER {
            return true;
        }
        let token = report.token;
        let (index, generation) = split(token);
        let Some(slot) = self.slots.get(index) else {
            return false;
        };
        let mut slot = lock(slot);
        if slot.generation != generation {
            return false;
        }
        slot.hup |= report.hup;
        let Some(entry) = slot.entry.as_ref() else {
            // Taken out by a worker since: it serves it again when it parks
            // it, as after any report that came meanwhile.
            slot.missed = true;
            return false;
        };
        // As registered: the wait's interest, or `Any` once the timer
        // found it expired.
        let interest = slot.registered.unwrap_or(entry.interest);
        if interest == Interest::Hangup {
            // Woken by its producer (or hung up: then it finds that out).
            self.notify_of(index).push(token);
            return true;
        }
        let fd = entry.conn.stream().as_raw_fd();
        match self.epoll_of(index).modify(fd, interest, token) {
            Ok(()) => {
                slot.registered = Some(interest);
                true
            }
            Err(_) => {
                self.evict(index, slot);
                false
            }
        }
    }

    /// Hands back the backlog of every held-up worker; returns the groups
    /// whose workers are all held up.
    fn unblock(&self) -> Vec<usize> {
        let workers: Vec<Arc<WorkerState>> = lock(&self.workers).clone();
        let mut free = vec![false; self.epolls.len()];
        for worker in &workers {
            if !worker.held_up() {
                if let Some(f) = free.get_mut(worker.group) {
                    *f = true;
                }
                continue;
            }
            let backlog = std::mem::take(&mut *lock(&worker.backlog));
            for report in backlog {
                self.hand_back(report);
            }
        }
        (0..free.len()).filter(|&g| !free[g]).collect()
    }

    /// Whether a report of `group` waits that no worker is free to take:
    /// takes one without waiting and, if there is one, registers it again
    /// (connections waiting to be accepted count: the listener is
    /// level-triggered and stays reported). A report for a connection a
    /// worker has (bytes of a body its handler is reading) does not count.
    fn report_waiting(&self, group: usize) -> bool {
        let Some(epoll) = self.epolls.get(group) else {
            return false;
        };
        // A few, so that reports for connections with a worker already do
        // not hide one that needs a worker.
        let mut reports = [Ready::default(); 8];
        let n = epoll.wait(&mut reports, 0).unwrap_or(0);
        let mut needed = false;
        for &report in reports.get(..n).unwrap_or(&[]) {
            if report.token == NOTIFY {
                // Taken here: another report for the queue.
                if let Some(notify) = self.notify.get(group) {
                    notify.again();
                }
                needed = true;
                continue;
            }
            // Every one is handed back, whether or not one before counted.
            if report.token != WAKE && self.hand_back(report) {
                needed = true;
            }
        }
        needed
    }

    /// Workers alive in `group`.
    fn group_size(&self, group: usize) -> usize {
        lock(&self.workers)
            .iter()
            .filter(|w| w.group == group)
            .count()
    }
}

fn spawn_worker(inner: &Arc<Inner>, group: usize) -> io::Result<()> {
    inner.threads.fetch_add(1, Ordering::SeqCst);
    let state = Arc::new(WorkerState {
        group,
        progress: AtomicU64::new(0),
        seen: AtomicU64::new(0),
        waiting: AtomicBool::new(false),
        backlog: Mutex::new(Vec::new()),
    });
    lock(&inner.workers).push(Arc::clone(&state));
    let worker_inner = Arc::clone(inner);
    let worker_state = Arc::clone(&state);
    let spawned = thread::Builder::new()
        .name("httpwire-worker".into())
        .stack_size(inner.ctx.config.thread_stack_size)
        .spawn(move || work(&worker_inner, &worker_state));
    if spawned.is_err() {
        inner.threads.fetch_sub(1, Ordering::SeqCst);
        forget_worker(inner, &state);
    }
    spawned.map(drop)
}

/// Removes a worker that is not counted in `threads` any more.
fn forget_worker(inner: &Inner, state: &Arc<WorkerState>) {
    lock(&inner.workers).retain(|w| !Arc::ptr_eq(w, state));
    // Reports it still held go to the others.
    let backlog = std::mem::take(&mut *lock(&state.backlog));
    for report in backlog {
        inner.hand_back(report);
    }
}

/// Reports taken per wait: under load one wait serves a batch, as in
/// nginx's loop, instead of one system call per request.
const BATCH: usize = 16;

/// A worker: wait for reports of its group, serve those connections,
/// repeat. Extra workers exit when idle for [`IDLE_EXIT_MS`].
fn work(inner: &Inner, state: &Arc<WorkerState>) {
    let mut reports = [Ready::default(); BATCH];
    let Some(epoll) = inner.epolls.get(state.group) else {
        inner.threads.fetch_sub(1, Ordering::SeqCst);
        forget_worker(inner, state);
        return;
    };
    loop {
        // The backlog is popped one report at a time (rather than served
        // from a local array) so that the timer can hand the rest back if
        // one of them holds this worker up.
        //
        // While a batch that reported the listener is served, new
        // connections are accepted again between reports once
        // [`ACCEPT_AGAIN`] has passed: a batch of heavy reports (a socket
        // filled with responses each) would otherwise keep them in the
        // listen queue until its end, where an acceptor thread took them at
        // once. (One clock read per report; an `accept4` at most every
        // `ACCEPT_AGAIN`.)
        let mut last_accept: Option<Instant> = None;
        loop {
            let next = lock(&state.backlog).pop();
            let Some(report) = next else { break };
            state.progress.fetch_add(1, Ordering::Relaxed);
            if report.token == LISTENER {
                last_accept = Some(Instant::now());
            } else if let Some(at) = last_accept {
                if at.elapsed() >= ACCEPT_AGAIN {
                    inner.accept(state.group);
                    last_accept = Some(Instant::now());
                }
            }
            inner.serve(state.group, report);
        }
        if inner.stop.load(Ordering::SeqCst) {
            break;
        }
        state.progress.fetch_add(1, Ordering::Relaxed);
        state.waiting.store(true, Ordering::Relaxed);
        let waited = epoll.wait(&mut reports, IDLE_EXIT_MS);
        // Progress before "not waiting", so that the timer never sees a
        // worker that just woke as held up.
        state.progress.fetch_add(1, Ordering::Relaxed);
        state.waiting.store(false, Ordering::Release);
        match waited {
            Ok(0) => {
                // Nothing for a while: shrink back to one worker per group.
                // (The check and the removal are not one step: two idle
                // workers of a group may both leave, and the timer adds one
                // back when a report waits.)
                if inner.group_size(state.group) > 1 {
                    inner.threads.fetch_sub(1, Ordering::SeqCst);
                    forget_worker(inner, state);
                    return;
                }
            }
            Ok(n) => {
                let taken = reports.get(..n).unwrap_or(&[]);
                let woken = match inner.notify.get(state.group) {
                    Some(notify) if taken.iter().any(|r| r.token == NOTIFY) => notify.take(),
                    _ => Vec::new(),
                };
                let mut backlog = lock(&state.backlog);
                backlog.extend(
                    taken
                        .iter()
                        .rev()
                        .filter(|r| r.token != WAKE && r.token != LISTENER && r.token != NOTIFY),
                );
                backlog.extend(woken.into_iter().map(|token| Ready {
                    token,
                    readable: false,
                    hup: false,
                }));
                // New connections first (popped from the end): nothing else
                // serves them, and the others' sockets keep their bytes.
                if let Some(listener) = taken.iter().find(|r| r.token == LISTENER) {
                    backlog.push(*listener);
                }
            }
            Err(e) => {
                eprintln!("httpwire: epoll_wait failed: {e}");
                thread::sleep(TICK);
            }
        }
    }
    inner.threads.fetch_sub(1, Ordering::SeqCst);
    forget_worker(inner, state);
}

/// The timer: deadlines, and relief for held-up workers.
fn timer(inner: &Arc<Inner>) {
    while !inner.stop.load(Ordering::SeqCst) {
        thread::sleep(TICK);
        // Reports held by a held-up worker go back first, so that a request
        // among them is not taken for a connection gone idle.
        let held_up_groups = inner.unblock();
        let now = Instant::now();
        inner.expire(now);
        inner.resume_accepting(now);
        for group in held_up_groups {
            if !inner.report_waiting(group) {
                continue;
            }
            // Every worker of the group has been busy on one report since
            // the last tick and a report waits: double them (up to the
            // cap), so that a burst of slow requests (handlers that block,
            // bodies that trickle) is absorbed quickly.
            let threads = inner.threads.load(Ordering::SeqCst);
            let size = inner.group_size(group);
            let more = size.max(1).min(inner.cap.saturating_sub(threads));
            for _ in 0..more {
                if spawn_worker(inner, group).is_err() {
                    break;
                }
            }
        }
    }
}
