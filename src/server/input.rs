//! Bytes in: a connection's read buffer ([`ReadBuf`]), its socket's
//! timeouts ([`SocketTimeouts`]), and why a request could not be read
//! ([`Failure`]).

use std::format;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Duration;
use std::vec::Vec;

use crate::conn::ProtocolError;

/// Bytes asked of the socket per read at first: enough for a typical head
/// (and a small body) in one page. A read that fills the space doubles it,
/// up to [`MAX_READ_SIZE`].
const READ_SIZE: usize = 4 * 1024;
const MAX_READ_SIZE: usize = 64 * 1024;
/// A socket timeout already set is kept if it is within this much of the
/// one wanted (a read then gives up at most this early, and is retried, or
/// this late): it saves a `setsockopt` per read, since the wait for the
/// next request is a little shorter or longer each time.
const TIMEOUT_SLACK: Duration = Duration::from_millis(10);

/// Received bytes not yet consumed: `data[start..end]`. It holds at most one
/// partial head (bounded by the head limits) or a partial chunk line, plus
/// one read.
pub(crate) struct ReadBuf {
    data: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes asked of the socket per read.
    read_size: usize,
    /// The last read took everything the socket held: it returned less
    /// than it asked for, or would have blocked.
    read_all: bool,
}

impl Default for ReadBuf {
    fn default() -> Self {
        ReadBuf {
            data: Vec::new(),
            start: 0,
            end: 0,
            read_size: READ_SIZE,
            read_all: false,
        }
    }
}

impl ReadBuf {
    pub(crate) fn pending(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Whether the last read took everything the socket held: then bytes
    /// it holds now arrived after that read (the event layer relies on it,
    /// [`super::events`]). False before the first read, and in the empty
    /// buffer left in place of one lent to a handler: unknown.
    pub(crate) fn read_all(&self) -> bool {
        self.read_all
    }

    /// One read from `stream` (whose read timeout is already set).
    pub(crate) fn fill(&mut self, mut stream: &TcpStream) -> io::Result<usize> {
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.data.len() < self.end + self.read_size {
            self.data.resize(self.end + self.read_size, 0);
        }
        let space = self.data.len() - self.end;
        let n = match stream.read(&mut self.data[self.end..]) {
            Ok(n) => n,
            Err(e) => {
                self.read_all = e.kind() == io::ErrorKind::WouldBlock;
                return Err(e);
            }
        };
        self.read_all = n < space;
        if n == space && self.read_size < MAX_READ_SIZE {
            // More was probably waiting (a large body, pipelining).
            self.read_size *= 2;
        }
        self.end += n;
        Ok(n)
    }
}

/// Threads: a socket's read and write timeouts as last set (`None`:
/// unknown), so that each is set only when the wanted value changes.
#[derive(Default)]
pub(crate) struct SocketTimeouts {
    read: Option<Duration>,
    write: Option<Duration>,
}

impl SocketTimeouts {
    /// Makes a blocking read give up within `left` (a little before or
    /// after if the timeout already set is within [`TIMEOUT_SLACK`] of it).
    pub(crate) fn arm_read(&mut self, stream: &TcpStream, left: Duration) -> io::Result<()> {
        // A zero timeout means "block forever" to the OS: never pass one.
        let timeout = left.max(Duration::from_millis(1));
        let close_enough = matches!(
            self.read,
            Some(set) if set.max(timeout) - set.min(timeout) <= TIMEOUT_SLACK
        );
        if !close_enough {
            self.read = None;
            stream.set_read_timeout(Some(timeout))?;
            self.read = Some(timeout);
        }
        Ok(())
    }

    /// Makes a blocking write give up within `left`. A timeout already set
    /// that ends no later (or just a little) serves: a batch then costs no
    /// `setsockopt`.
    pub(crate) fn arm_write(&mut self, stream: &TcpStream, left: Duration) -> io::Result<()> {
        let left = left.max(Duration::from_millis(1));
        if !matches!(self.write, Some(set) if set <= left.saturating_add(TIMEOUT_SLACK)) {
            self.write = None;
            stream.set_write_timeout(Some(left))?;
            self.write = Some(left);
        }
        Ok(())
    }

    /// The read timeout was set elsewhere: unknown from now on.
    pub(crate) fn forget_read(&mut self) {
        self.read = None;
    }
}

/// Why a request could not be read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Failure {
    /// The core refused the head or the body framing (RULES PC-5).
    Protocol(ProtocolError),
    /// The head or body did not arrive in time: answer 408.
    Timeout,
    /// The socket failed or the client closed: just close.
    Gone,
}

impl Failure {
    /// What the handler reading a body gets.
    pub(crate) fn to_io(self, body_timeout: Duration) -> io::Error {
        match self {
            Failure::Protocol(refused) => io::Error::new(io::ErrorKind::InvalidData, refused),
            Failure::Timeout => io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no request body bytes came within the body timeout ({body_timeout:?})"),
            ),
            Failure::Gone => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection ended before the request body did",
            ),
        }
    }
}

/// Event-driven: waits until the socket can be read (or written, if
/// `write`), at most `timeout`.
#[cfg(target_os = "linux")]
pub(crate) fn wait_ready(stream: &TcpStream, write: bool, timeout: Duration) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    super::epoll::wait_ready(stream.as_raw_fd(), write, timeout)
}

/// Only Linux has the event-driven model.
#[cfg(not(target_os = "linux"))]
pub(crate) fn wait_ready(_: &TcpStream, _: bool, _: Duration) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether bytes the client sent wait unread in the socket, checked without
/// blocking or consuming them (`recv` with `MSG_PEEK`): on a connection
/// still marked idle, a request has arrived that its thread or worker has
/// not read yet; after a response, the client sent more. `None` where it is
/// not checked, so that each caller says which way it errs.
#[cfg(target_os = "linux")]
pub(crate) fn unread_bytes(stream: &TcpStream) -> Option<bool> {
    use std::os::fd::AsRawFd;
    Some(super::epoll::has_unread_bytes(stream.as_raw_fd()))
}

/// Elsewhere it is not checked.
#[cfg(not(target_os = "linux"))]
pub(crate) fn unread_bytes(_: &TcpStream) -> Option<bool> {
    None
}

/// Whether the client closed its side of the socket (or the socket failed,
/// or a shutdown cut it off), without reading from it.
#[cfg(target_os = "linux")]
pub(crate) fn hung_up(stream: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    super::epoll::hung_up(stream.as_raw_fd())
}

/// Elsewhere it is not checked: a client gone is noticed at the next
/// write.
#[cfg(not(target_os = "linux"))]
pub(crate) fn hung_up(_: &TcpStream) -> bool {
    false
}
