//! A response body produced over time by another thread: [`body_channel`]
//! gives a [`BodySender`] to the producer and a [`BodyChunks`] to the
//! response ([`Response::with_body_chunks`]).
//!
//! The two share a queue of pieces bounded in bytes. The connection takes
//! the next piece only once the socket took the one before (as it reads a
//! body's [`Read`]: [`BodySource`] is either), so a client that reads
//! slowly fills the queue, and then the producer's
//! [`send`](BodySender::send) blocks: the server holds at most the queue,
//! one piece of output and the socket's buffers per connection.
//!
//! While the queue is empty and the body unfinished, an event-driven
//! connection is parked (no thread), its socket watched only for the
//! client hanging up; the producer's next send, finish or drop wakes it
//! through the [`Waker`] it left in the queue. With threads, its thread
//! waits on the queue.
//!
//! [`Response::with_body_chunks`]: super::Response::with_body_chunks

use std::boxed::Box;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;
use std::vec::Vec;

use super::input::hung_up;

// The producer's end goes to any thread, and the response's with its
// response.
const _: fn() = || {
    fn sendable<T: Send + Sync + 'static>() {}
    sendable::<BodySender>();
    sendable::<BodyChunks>();
};

/// Called once when a parked connection's producer did something: sent a
/// piece, finished, or went away.
pub(crate) type Waker = Box<dyn FnOnce() + Send>;

/// Threads: how often a connection that waits for its producer looks
/// whether its client hung up (or a shutdown cut it off).
const HANGUP_CHECK: Duration = Duration::from_millis(200);

/// Makes a channel for a response body produced over time (server-sent
/// events, a long poll, a body computed by another thread): the
/// [`BodySender`] goes to the producer, the [`BodyChunks`] to
/// [`Response::with_body_chunks`](super::Response::with_body_chunks).
///
/// At most about `capacity_bytes` wait in the channel (at least one piece
/// is always taken, however large): once that much is queued, because the
/// client reads more slowly than the producer sends, [`BodySender::send`]
/// blocks until the connection has passed some on to the socket. Until the
/// connection begins sending the body (while the handler that made the
/// channel still runs, say), pieces queue without waiting, so that a
/// handler may send the first ones itself before it returns the response.
///
/// ```
/// use std::time::Duration;
/// use httpwire::server::{body_channel, Request, Response, Server};
///
/// let mut server = Server::new("127.0.0.1", 0)?;
/// server.route("GET", "/events", |_: &Request| {
///     let (sender, chunks) = body_channel(64 * 1024);
///     std::thread::spawn(move || {
///         for i in 0..3 {
///             // `Gone`: the client left; stop producing.
///             if sender.send(format!("data: {i}\n\n")).is_err() {
///                 return;
///             }
///             std::thread::sleep(Duration::from_millis(10));
///         }
///         let _ = sender.finish();
///     });
///     Response::new(200)
///         .with_header("Content-Type", "text/event-stream")
///         .with_body_chunks(chunks, None)
/// });
/// let running = server.spawn()?;
/// # use std::io::{Read, Write};
/// # let mut c = std::net::TcpStream::connect(running.local_addr())?;
/// # c.set_read_timeout(Some(Duration::from_secs(10)))?;
/// # c.write_all(b"GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// # let mut got = String::new();
/// # c.read_to_string(&mut got)?;
/// # assert!(got.contains("Transfer-Encoding: chunked"), "{got}");
/// # assert!(got.contains("data: 2\n\n"), "{got}");
/// # assert!(got.ends_with("0\r\n\r\n"), "{got}");
/// assert!(running.shutdown(Duration::from_secs(1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn body_channel(capacity_bytes: usize) -> (BodySender, BodyChunks) {
    let chan = Arc::new(Chan {
        capacity: capacity_bytes.max(1),
        state: Mutex::new(State {
            queue: VecDeque::new(),
            taken: 0,
            queued: 0,
            end: End::Open,
            receiver_gone: false,
            attached: false,
            senders_blocked: 0,
            receiver_blocked: false,
            waker: None,
        }),
        room: Condvar::new(),
        ready: Condvar::new(),
    });
    (
        BodySender {
            chan: Arc::clone(&chan),
        },
        BodyChunks { chan },
    )
}

struct Chan {
    capacity: usize,
    state: Mutex<State>,
    /// Signalled when bytes leave the queue, or the receiver goes: for a
    /// producer blocked in `send`.
    room: Condvar,
    /// Signalled when the producer sends, finishes or goes: for a
    /// connection's thread waiting (threads model).
    ready: Condvar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// More may come.
    Open,
    /// [`BodySender::finish`]: the body ends when the queue is empty.
    Finished,
    /// The sender was dropped without finishing: the body failed.
    Failed,
}

struct State {
    queue: VecDeque<Vec<u8>>,
    /// Bytes of the front piece already taken.
    taken: usize,
    /// Bytes in the queue not yet taken.
    queued: usize,
    end: End,
    /// The response (its connection) is gone: sends fail.
    receiver_gone: bool,
    /// The connection has begun taking the body: from then on a full
    /// channel makes `send` wait. Before, pieces queue without waiting: the
    /// handler that made the channel may send before it returns the
    /// response, and nothing would take them while it waits.
    attached: bool,
    /// Producers waiting in `send` (so that taking bytes costs no wake-up
    /// when there are none).
    senders_blocked: usize,
    /// The connection's thread waits on `ready` (threads model).
    receiver_blocked: bool,
    /// Left by a parked connection (event-driven) whose queue was empty.
    waker: Option<Waker>,
}

impl Chan {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the lock is held with the state half-updated.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// After the producer did something (under the lock `state`): wakes
    /// whoever waits for it, the parked connection's waker outside the
    /// lock.
    fn producer_moved(&self, mut state: MutexGuard<'_, State>) {
        let waker = state.waker.take();
        if state.receiver_blocked {
            self.ready.notify_one();
        }
        drop(state);
        if let Some(wake) = waker {
            wake();
        }
    }
}

/// The client, or its connection, is gone (or the response was never going
/// to send a body: after `HEAD`, or with status 204, 205 or 304): nothing
/// sent now will reach it, so the producer can stop.
///
/// ```
/// use httpwire::server::{body_channel, Gone};
///
/// let (sender, chunks) = body_channel(1024);
/// drop(chunks); // as when the connection ends
/// assert_eq!(sender.send("lost"), Err(Gone));
/// assert_eq!(sender.finish(), Err(Gone));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gone;

impl fmt::Display for Gone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the response body's connection is gone")
    }
}

impl std::error::Error for Gone {}

/// Why [`BodySender::try_send`] did not queue a piece.
///
/// ```
/// use httpwire::server::{body_channel, TrySendError};
///
/// let (sender, chunks) = body_channel(3);
/// // A producer that must not block (a timer's tick, say).
/// match sender.try_send("abc") {
///     Ok(()) => {}
///     // The client reads slowly: the piece comes back, to be sent later
///     // or dropped.
///     Err(TrySendError::Full(piece)) => drop(piece),
///     Err(TrySendError::Gone) => return,
/// }
/// drop(chunks);
/// assert_eq!(sender.try_send("def"), Err(TrySendError::Gone));
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum TrySendError {
    /// The connection is sending the body and the channel holds its
    /// capacity already: the piece is given back.
    Full(Vec<u8>),
    /// As [`Gone`]: the piece is dropped.
    Gone,
}

impl fmt::Display for TrySendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("the response body's channel is full"),
            TrySendError::Gone => Gone.fmt(f),
        }
    }
}

impl std::error::Error for TrySendError {}

/// The producer's end of a [`body_channel`]: `Send + Sync + 'static`, for
/// any thread.
///
/// Each piece sent goes out as it is (to an HTTP/1.1 client without a
/// length, a chunk, or pieces queued together as one) once the client has
/// taken what came before. [`finish`](BodySender::finish) ends the body
/// properly (the last chunk, with the response's
/// [`with_trailers`](super::Response::with_trailers) fields). Dropping the
/// sender without finishing means the body failed: the connection ends
/// without the body's end (no last chunk, or fewer bytes than the
/// `Content-Length`), as when a body's reader fails, so that the client
/// cannot take it for complete.
///
/// ```
/// use httpwire::server::{body_channel, Gone, TrySendError};
///
/// let (sender, chunks) = body_channel(4);
/// sender.send("tick")?;
/// // No connection sends the body yet: pieces queue past the capacity
/// // without waiting (a handler may send the first ones itself). Once one
/// // does, a full channel makes `send` wait, and `try_send` give the
/// // piece back (`TrySendError::Full`).
/// assert_eq!(sender.try_send("tock"), Ok(()));
/// // The response (and its connection) went away.
/// drop(chunks);
/// assert_eq!(sender.send("tock"), Err(Gone));
/// assert_eq!(sender.try_send("tock"), Err(TrySendError::Gone));
/// # Ok::<(), Gone>(())
/// ```
pub struct BodySender {
    chan: Arc<Chan>,
}

impl BodySender {
    /// Queues `piece`, first waiting (blocking this thread) while the
    /// channel holds its capacity and the connection is sending the body
    /// (see [`body_channel`]); returns [`Gone`] if the connection ended
    /// (also while waiting). An empty piece sends nothing.
    pub fn send(&self, piece: impl Into<Vec<u8>>) -> Result<(), Gone> {
        let piece = piece.into();
        let mut state = self.chan.lock();
        loop {
            if state.receiver_gone {
                return Err(Gone);
            }
            if state.queued < self.chan.capacity || !state.attached {
                break;
            }
            state.senders_blocked += 1;
            state = self
                .chan
                .room
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            state.senders_blocked -= 1;
        }
        Self::push(&self.chan, state, piece);
        Ok(())
    }

    /// Queues `piece` if the channel has room now (or the connection has
    /// not begun sending the body), without blocking.
    pub fn try_send(&self, piece: impl Into<Vec<u8>>) -> Result<(), TrySendError> {
        let piece = piece.into();
        let state = self.chan.lock();
        if state.receiver_gone {
            return Err(TrySendError::Gone);
        }
        if state.queued >= self.chan.capacity && state.attached {
            return Err(TrySendError::Full(piece));
        }
        Self::push(&self.chan, state, piece);
        Ok(())
    }

    fn push(chan: &Chan, mut state: MutexGuard<'_, State>, piece: Vec<u8>) {
        if piece.is_empty() {
            return;
        }
        state.queued += piece.len();
        state.queue.push_back(piece);
        chan.producer_moved(state);
    }

    /// Ends the body properly once what was sent has gone out. [`Gone`] if
    /// the connection ended first (the body did not reach the client).
    pub fn finish(self) -> Result<(), Gone> {
        let gone = {
            let mut state = self.chan.lock();
            state.end = End::Finished;
            state.receiver_gone
        };
        // Dropping `self` here wakes whoever waits for the producer.
        if gone {
            Err(Gone)
        } else {
            Ok(())
        }
    }

    /// Whether the connection has ended: a producer with nothing to send
    /// for a while can look, rather than learn it at its next send.
    ///
    /// ```
    /// use httpwire::server::body_channel;
    ///
    /// let (sender, chunks) = body_channel(1024);
    /// assert!(!sender.is_gone());
    /// drop(chunks);
    /// assert!(sender.is_gone());
    /// ```
    pub fn is_gone(&self) -> bool {
        self.chan.lock().receiver_gone
    }
}

impl Drop for BodySender {
    fn drop(&mut self) {
        let mut state = self.chan.lock();
        if state.end == End::Open {
            state.end = End::Failed;
        }
        self.chan.producer_moved(state);
    }
}

impl fmt::Debug for BodySender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodySender")
            .field("capacity", &self.chan.capacity)
            .finish_non_exhaustive()
    }
}

/// The response's end of a [`body_channel`]: give it to
/// [`Response::with_body_chunks`](super::Response::with_body_chunks).
/// Dropping it (the connection ended, or the response sends no body) makes
/// the sender's sends return [`Gone`], and wakes one blocked in `send`.
///
/// ```
/// use httpwire::server::{body_channel, Response};
///
/// let (sender, chunks) = body_channel(1024);
/// let r = Response::new(200).with_body_chunks(chunks, Some(5));
/// sender.send("hello")?;
/// sender.finish()?;
/// assert_eq!(r.body(), b"", "the body is not in memory");
/// # Ok::<(), httpwire::server::Gone>(())
/// ```
pub struct BodyChunks {
    chan: Arc<Chan>,
}

impl Drop for BodyChunks {
    fn drop(&mut self) {
        let mut state = self.chan.lock();
        state.receiver_gone = true;
        state.waker = None;
        state.queue.clear();
        state.queued = 0;
        let blocked = state.senders_blocked > 0;
        drop(state);
        if blocked {
            self.chan.room.notify_all();
        }
    }
}

impl fmt::Debug for BodyChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyChunks")
            .field("capacity", &self.chan.capacity)
            .finish_non_exhaustive()
    }
}

/// What the next piece of a streamed body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// This many bytes, at the front of the buffer given.
    Data(usize),
    /// The body ended properly.
    End,
    /// Event-driven: nothing yet; the connection parks until its producer
    /// wakes it ([`BodySource::leave_waker`]).
    Pending,
}

/// Where a streamed response body comes from: a `Read`
/// ([`Response::with_body_reader`](super::Response::with_body_reader)) or a
/// channel ([`Response::with_body_chunks`](super::Response::with_body_chunks)).
/// The connection sends either the same way, one piece at a time.
pub(crate) enum BodySource {
    /// Already limited to the announced length ([`Read::take`]).
    Reader(Box<dyn Read + Send>),
    /// `left`: the announced length not yet taken; at 0 the body is whole
    /// (more is not read, as a limited reader's).
    Chunks {
        chunks: BodyChunks,
        left: Option<u64>,
    },
}

impl BodySource {
    /// Puts the next piece at the front of `buf` (at most its length). A
    /// reader's read blocks as the reader does. A channel's wait for its
    /// producer blocks this thread if `socket` is given (threads: it looks
    /// every [`HANGUP_CHECK`] whether the client hung up, and fails if so);
    /// otherwise it is [`Piece::Pending`]. A sender dropped without
    /// finishing is an error.
    pub(crate) fn next_piece(
        &mut self,
        buf: &mut [u8],
        socket: Option<&TcpStream>,
    ) -> io::Result<Piece> {
        let (chunks, left) = match self {
            BodySource::Reader(reader) => {
                let n = loop {
                    match reader.read(buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        read => break read?,
                    }
                };
                // A reader cannot claim more than it was given.
                return Ok(match n.min(buf.len()) {
                    0 => Piece::End,
                    n => Piece::Data(n),
                });
            }
            BodySource::Chunks { chunks, left } => (chunks, left),
        };
        let room = match *left {
            Some(0) => return Ok(Piece::End),
            Some(n) => usize::try_from(n).map_or(buf.len(), |n| n.min(buf.len())),
            None => buf.len(),
        };
        let n = chunks.take(&mut buf[..room], socket)?;
        if let (Piece::Data(n), Some(left)) = (n, left.as_mut()) {
            *left -= n as u64;
        }
        Ok(n)
    }

    /// Event-driven, after [`Piece::Pending`]: leaves `waker` to be called
    /// when the producer sends, finishes or goes. `false` (and `waker`
    /// dropped) if it already did, between the `Pending` and now: the
    /// connection must not wait. Checked and left under the channel's
    /// lock, so that no send is missed.
    pub(crate) fn leave_waker(&mut self, waker: Waker) -> bool {
        let BodySource::Chunks { chunks, .. } = self else {
            return false;
        };
        let mut state = chunks.chan.lock();
        if state.queued > 0 || state.end != End::Open {
            return false;
        }
        state.waker = Some(waker);
        true
    }
}

impl BodyChunks {
    /// Takes queued bytes into `buf` (pieces queued together become one),
    /// or says that there are none (see [`BodySource::next_piece`]).
    fn take(&mut self, buf: &mut [u8], socket: Option<&TcpStream>) -> io::Result<Piece> {
        let chan = &*self.chan;
        let mut state = chan.lock();
        state.attached = true;
        while state.queued == 0 {
            match state.end {
                End::Finished => return Ok(Piece::End),
                End::Failed => {
                    return Err(io::Error::other("its sender was dropped without finishing"))
                }
                End::Open => {}
            }
            let Some(socket) = socket else {
                return Ok(Piece::Pending);
            };
            state.receiver_blocked = true;
            state = match chan.ready.wait_timeout(state, HANGUP_CHECK) {
                Ok((state, _)) => state,
                Err(e) => e.into_inner().0,
            };
            state.receiver_blocked = false;
            if state.queued == 0 && hung_up(socket) {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the client hung up",
                ));
            }
        }
        let mut n = 0;
        while n < buf.len() {
            let taken = state.taken;
            let Some(front) = state.queue.front() else {
                break;
            };
            let part = &front[taken..];
            let m = part.len().min(buf.len() - n);
            buf[n..n + m].copy_from_slice(&part[..m]);
            n += m;
            if m == part.len() {
                state.queue.pop_front();
                state.taken = 0;
            } else {
                state.taken += m;
            }
        }
        state.queued -= n;
        let blocked = state.senders_blocked > 0;
        drop(state);
        if blocked {
            chan.room.notify_all();
        }
        Ok(Piece::Data(n))
    }
}
