//! A minimal safe wrapper over Linux `epoll` (and `accept4`), for the
//! event-driven connection layer ([`super::events`]).
//!
//! Why not a crate: the layer needs one epoll instance that several worker
//! threads wait on at once (leader/follower), with edge-triggered
//! registrations modified from any thread (a worker, the timer). `mio` requires `&mut` to poll (one waiter per
//! instance) and `polling` serializes its waiters behind a lock; both would
//! bring back the thread hand-off this layer exists to remove. The few
//! calls needed (`epoll_*`, `accept4`, `listen`, `setsockopt`, `poll`,
//! `recv`) are small enough to wrap here, each with its safety argument.

use std::io;
use std::mem;
use std::net::{
    Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6, TcpListener, TcpStream,
};
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

    /// Registers `fd` for `interest`, edge-triggered (`EPOLLET`): each
    /// change (bytes arriving, room freed after a write that would have
    /// blocked) is reported once, to one waiter, and the registration
    /// stays armed. Reported at once if `fd` is ready already. `token`
    /// comes back with each report.
    pub(crate) fn add(&self, fd: RawFd, interest: Interest, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, interest.bits() | EDGE, token)
    }

    /// Changes a registration's interest and token. Like a new
    /// registration, `fd` is reported at once if it is ready for
    /// `interest`: a change that may have been reported before (and
    /// missed) is reported again.
    pub(crate) fn modify(&self, fd: RawFd, interest: Interest, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, interest.bits() | EDGE, token)
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

    /// Registers a listening socket, level-triggered, as one of several
    /// instances that wait on it (`EPOLLEXCLUSIVE`): a new connection wakes
    /// one of them rather than all (no thundering herd between groups of
    /// workers), and it is reported again while connections wait.
    pub(crate) fn add_listener(&self, fd: RawFd, token: u64) -> io::Result<()> {
        let events = (libc::EPOLLIN | libc::EPOLLEXCLUSIVE) as u32;
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
                hup: event.events & HUP != 0,
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
    /// The peer closed its side, or the connection failed: a read that
    /// takes less than it asks for has not taken everything (the end of
    /// the stream is still to be read), and no later edge says so.
    pub(crate) hup: bool,
}

const HUP: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
const READABLE: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// Accepts a connection from `listener` (one that never blocks), itself
/// never blocking (`SOCK_NONBLOCK`: no `fcntl` or `ioctl` afterwards) and
/// closed on `exec` (as std's `accept` does). `WouldBlock` when none waits.
/// Options the listener has, such as `TCP_NODELAY`, are inherited.
pub(crate) fn accept_nonblocking(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    // SAFETY: all-zero bytes are a valid `sockaddr_storage` (a plain C
    // struct of integers).
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let mut len = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: `storage` is writable for `len` bytes, its full size, and
    // both outlive the call; the kernel writes at most `len` bytes there
    // and the length it wrote to `len`. A bad descriptor is an error.
    let fd = unsafe {
        libc::accept4(
            listener.as_raw_fd(),
            (&mut storage as *mut libc::sockaddr_storage).cast(),
            &mut len,
            libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a connected socket just returned to us and owned by
    // nothing else; the TcpStream closes it.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    let remote = socket_addr(&storage, len)?;
    Ok((stream, remote))
}

/// Sets the length of a listening socket's queue of connections not yet
/// accepted (`listen` again: Linux updates the queue of a socket already
/// listening).
pub(crate) fn set_backlog(listener: &TcpListener, backlog: libc::c_int) -> io::Result<()> {
    // SAFETY: `listen` takes no pointers; a bad descriptor is an error.
    if unsafe { libc::listen(listener.as_raw_fd(), backlog) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sets `TCP_NODELAY` on a listening socket, so that every connection it
/// accepts has it from the start (Linux copies the listener's options to
/// the connections it accepts): one `setsockopt` per server, not one per
/// connection.
pub(crate) fn set_nodelay(listener: &TcpListener) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `on` is a readable c_int that outlives the call, and the
    // length passed is its size; a bad descriptor is an error.
    let r = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The address `accept4` wrote: IPv4 or IPv6 (a TCP listener's peers).
fn socket_addr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> io::Result<SocketAddr> {
    let len = len as usize;
    match libc::c_int::from(storage.ss_family) {
        libc::AF_INET if len >= mem::size_of::<libc::sockaddr_in>() => {
            // SAFETY: the family says the storage holds a `sockaddr_in`,
            // which the kernel wrote whole (`len`); `sockaddr_storage` is
            // large enough and aligned for it.
            let addr =
                unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(addr.sin_addr.s_addr));
            Ok(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(addr.sin_port),
            )))
        }
        libc::AF_INET6 if len >= mem::size_of::<libc::sockaddr_in6>() => {
            // SAFETY: as above, for a `sockaddr_in6`.
            let addr = unsafe {
                &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(addr.sin6_addr.s6_addr),
                u16::from_be(addr.sin6_port),
                addr.sin6_flowinfo,
                addr.sin6_scope_id,
            )))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "accept4: not an IPv4 or IPv6 peer address",
        )),
    }
}

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

const EDGE: u32 = libc::EPOLLET as u32;
