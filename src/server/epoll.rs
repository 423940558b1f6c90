//! A minimal safe wrapper over Linux `epoll`, for the event-driven
//! connection layer ([`super::events`]).
//!
//! Why not a crate: the layer needs one epoll instance that several worker
//! threads wait on at once (leader/follower), with one-shot registrations
//! re-armed from any thread. `mio` requires `&mut` to poll (one waiter per
//! instance) and `polling` serializes its waiters behind a lock; both would
//! bring back the thread hand-off this layer exists to remove. The three
//! calls needed are small enough to wrap here, each with its safety
//! argument.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Readiness wanted for a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interest {
    /// Bytes (or the end of the stream, or an error) to read.
    Read,
    /// Room to write (or an error, or the end of the connection): for
    /// output the socket did not take. Bytes to read are not reported, so a
    /// client that sends and does not read wakes no one.
    Write,
    /// Room to write, or anything [`Read`](Interest::Read) reports: on a
    /// connected socket there is room almost always, so it serves to get a
    /// connection handed to a worker soon (the report's [`Ready`] says
    /// whether there are also bytes to read).
    Any,
    /// Only the client hanging up (its side closed, the connection reset
    /// or cut off): for a connection that waits for a streamed body's
    /// producer, not for its socket. Bytes to read are not reported.
    Hangup,
}

impl Interest {
    fn bits(self) -> u32 {
        let bits = match self {
            Interest::Read => libc::EPOLLIN | libc::EPOLLRDHUP,
            Interest::Write => libc::EPOLLOUT,
            Interest::Any => libc::EPOLLOUT | libc::EPOLLIN | libc::EPOLLRDHUP,
            // EPOLLHUP and EPOLLERR are always reported.
            Interest::Hangup => libc::EPOLLRDHUP,
        };
        bits as u32
    }
}

/// One epoll instance; closed when dropped.
pub(crate) struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a negative result is an
        // error and is checked before the value is used as a descriptor.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a descriptor just returned to us and owned by
        // nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Epoll { fd })
    }

    /// Registers `fd` for one report of `interest` (`EPOLLONESHOT`): after
    /// it is reported, nothing more is until [`rearm`](Epoll::rearm).
    /// `token` comes back with the report.
    pub(crate) fn add_oneshot(&self, fd: RawFd, interest: Interest, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, interest.bits() | ONESHOT, token)
    }

    /// Arms again a one-shot registration, with a new token.
    pub(crate) fn rearm(&self, fd: RawFd, interest: Interest, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, interest.bits() | ONESHOT, token)
    }

    /// Removes `fd`'s registration: its socket leaves the server while
    /// still open (a protocol switch).
    pub(crate) fn delete(&self, fd: RawFd) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Registers `fd` level-triggered for reading: reported to every wait
    /// while it is readable (used to wake all waiters at once).
    pub(crate) fn add_level(&self, fd: RawFd, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN as u32, token)
    }

    /// Registers `fd` edge-triggered for reading: one report per arrival of
    /// bytes, to one waiter (used to hand connections woken by their
    /// producers to a worker).
    pub(crate) fn add_edge(&self, fd: RawFd, token: u64) -> io::Result<()> {
        let events = (libc::EPOLLIN | libc::EPOLLET) as u32;
        self.ctl(libc::EPOLL_CTL_ADD, fd, events, token)
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: token };
        // SAFETY: `event` is a valid, initialized epoll_event that outlives
        // the call; the kernel only reads it. An invalid `fd` is reported as
        // an error, not undefined behaviour.
        let r = unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits up to `timeout_ms` (`-1`: forever) for reports; fills the front
    /// of `reports` and returns how many. An interrupted wait returns 0.
    pub(crate) fn wait(&self, reports: &mut [Ready], timeout_ms: i32) -> io::Result<usize> {
        const MAX: usize = 16;
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; MAX];
        let max = reports.len().min(MAX);
        // SAFETY: `events` is writable for `max` (at most its length)
        // entries, which is the count passed, so the kernel writes within
        // it; `max` is at most 16, which fits a c_int.
        let n = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.as_mut_ptr(),
                max as libc::c_int,
                timeout_ms,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(e);
        }
        let n = (n as usize).min(max);
        for (report, event) in reports.iter_mut().zip(&events[..n]) {
            *report = Ready {
                token: event.u64,
                readable: event.events & READABLE != 0,
            };
        }
        Ok(n)
    }
}

/// One report of [`Epoll::wait`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ready {
    pub(crate) token: u64,
    /// Bytes to read, the end of the stream, or an error: a read will not
    /// block.
    pub(crate) readable: bool,
}

const READABLE: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// Whether received bytes wait unread on `fd`, without blocking and
/// without consuming them (the end of the stream or an error: `false`).
pub(crate) fn has_unread_bytes(fd: RawFd) -> bool {
    let mut byte = 0u8;
    // SAFETY: the buffer is one writable byte that outlives the call and
    // its length is 1; MSG_DONTWAIT makes the call return at once, and a
    // bad descriptor is reported as an error, not undefined behaviour.
    let n = unsafe {
        libc::recv(
            fd,
            (&mut byte as *mut u8).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n > 0
}

/// Whether the peer of the socket `fd` closed its side, or the socket was
/// reset, failed or shut down (by a shutdown's cut-off), without waiting or
/// reading (one `poll` with no timeout).
pub(crate) fn hung_up(fd: RawFd) -> bool {
    let mut poll_fd = libc::pollfd {
        fd,
        events: libc::POLLRDHUP,
        revents: 0,
    };
    // SAFETY: one `pollfd` that outlives the call, and a count of 1; a
    // timeout of 0 returns at once; a bad descriptor is reported in
    // `revents` (POLLNVAL), not undefined behaviour.
    let r = unsafe { libc::poll(&mut poll_fd, 1, 0) };
    r > 0
        && poll_fd.revents & (libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Waits until `fd` can be read (or written, if `write`), at most
/// `timeout` (one `poll`): for a worker that reads a streaming request body
/// on a socket that never blocks, while the rest of the layer goes on
/// without it. Returns at the timeout too; the caller keeps the time.
pub(crate) fn wait_ready(fd: RawFd, write: bool, timeout: Duration) -> io::Result<()> {
    let events = if write { libc::POLLOUT } else { libc::POLLIN };
    let mut poll_fd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // At least 1 ms: 0 would not wait at all.
    let ms = timeout.as_millis().clamp(1, libc::c_int::MAX as u128) as libc::c_int;
    // SAFETY: one `pollfd` that outlives the call, and a count of 1; a bad
    // descriptor is reported in `revents`, not undefined behaviour.
    let r = unsafe { libc::poll(&mut poll_fd, 1, ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

const ONESHOT: u32 = libc::EPOLLONESHOT as u32;
