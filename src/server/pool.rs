//! Worker threads: `workers` kept ready, grown on demand to one per
//! connection up to the connection cap, and shrunk back when idle.
//!
//! A connection is handed to an idle worker or to a new one, never queued:
//! with blocking I/O a queued connection would wait behind keep-alive
//! connections for an unbounded time. Admission (the cap, the 503) is the
//! acceptor's job; see [`Server::run`](super::Server::run).

use std::io;
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use super::connection::{self, Context};
use super::shutdown::Slot;

/// An accepted, registered connection.
pub(crate) struct Job {
    pub(crate) slot: Arc<Slot>,
    pub(crate) remote: SocketAddr,
    pub(crate) id: u64,
}

#[derive(Default)]
struct Counts {
    /// Workers alive.
    threads: usize,
    /// Workers waiting for a job (a job sent is counted out at once).
    idle: usize,
}

struct Inner {
    ctx: Arc<Context>,
    jobs: Mutex<Receiver<Job>>,
    counts: Mutex<Counts>,
    /// Workers kept when idle.
    keep: usize,
}

impl Inner {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The pool; dropping it lets idle workers exit (busy ones finish first).
pub(crate) struct Pool {
    inner: Arc<Inner>,
    sender: Sender<Job>,
}

impl Pool {
    /// Starts `keep` workers.
    pub(crate) fn new(ctx: Arc<Context>, keep: usize) -> io::Result<Pool> {
        let (sender, receiver) = channel();
        let inner = Arc::new(Inner {
            ctx,
            jobs: Mutex::new(receiver),
            counts: Mutex::new(Counts::default()),
            keep,
        });
        let pool = Pool { inner, sender };
        for _ in 0..keep {
            pool.inner.counts().threads += 1;
            if let Err(e) = spawn(&pool.inner, None) {
                pool.inner.counts().threads -= 1;
                return Err(e);
            }
        }
        Ok(pool)
    }

    /// Hands `job` to an idle worker, or to a new one. Gives the job back if
    /// no thread could be started.
    pub(crate) fn dispatch(&self, job: Job) -> Result<(), Job> {
        let mut counts = self.inner.counts();
        if counts.idle > 0 {
            counts.idle -= 1;
            drop(counts);
            return self.sender.send(job).map_err(|e| e.0);
        }
        counts.threads += 1;
        drop(counts);
        let slot = Arc::new(Mutex::new(Some(job)));
        match spawn(&self.inner, Some(Arc::clone(&slot))) {
            Ok(()) => Ok(()),
            Err(_) => {
                // The thread never ran, so the job is still in its slot.
                self.inner.counts().threads -= 1;
                let job = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                job.map_or(Ok(()), Err)
            }
        }
    }
}

type FirstJob = Arc<Mutex<Option<Job>>>;

fn spawn(inner: &Arc<Inner>, first: Option<FirstJob>) -> io::Result<()> {
    let stack_size = inner.ctx.config.thread_stack_size;
    let inner = Arc::clone(inner);
    thread::Builder::new()
        .name("httpwire-worker".into())
        .stack_size(stack_size)
        .spawn(move || work(&inner, first))
        .map(drop)
}

/// A worker: serve the first job if any, then wait for more; exit when
/// idle beyond `keep`, or when the pool is dropped.
fn work(inner: &Inner, first: Option<FirstJob>) {
    let mut job = first.and_then(|j| j.lock().unwrap_or_else(|e| e.into_inner()).take());
    loop {
        if let Some(Job { slot, remote, id }) = job.take() {
            // A bug in the connection code must not kill the worker: the
            // connection is unregistered as the stack unwinds.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                connection::serve(&inner.ctx, slot, remote, id);
            }));
        }
        {
            let mut counts = inner.counts();
            if counts.threads > inner.keep {
                counts.threads -= 1;
                return;
            }
            counts.idle += 1;
        }
        let next = inner.jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match next {
            Ok(next) => job = Some(next),
            Err(_) => {
                let mut counts = inner.counts();
                counts.threads -= 1;
                counts.idle = counts.idle.saturating_sub(1);
                return;
            }
        }
    }
}
