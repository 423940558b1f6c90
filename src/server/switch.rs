//! A connection whose protocol switched ([`Switched`]), and its hand-over
//! to the callback of a [`Response::switching`](super::Response::switching).
//!
//! The core decides whether a response may switch (RULES PC-6: a `101`
//! only to an HTTP/1.1 request that asked to upgrade, once its body was
//! read; a 2xx to CONNECT, CN-2) and says what input is the new
//! protocol's; [`wire::write_switch_head`](super::wire::write_switch_head)
//! sends the head. Then the server lets go of the connection: it leaves
//! the server's registry (not counted by `active_connections`, not waited
//! for nor cut off by a shutdown, not counted against the connection cap)
//! and, in the event-driven model, its `epoll` set. The callback runs on
//! a thread of its own, so a long-lived connection holds no worker.

use std::boxed::Box;
use std::eprintln;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::vec::Vec;

/// What a switching response runs once its head is sent.
pub(crate) type OnSwitch = Box<dyn FnOnce(Switched) + Send + 'static>;

/// A connection whose protocol switched: the socket, and the bytes the
/// server had already read past the request (the client may send the new
/// protocol's first bytes with its request). Given to the callback of a
/// [`Response::switching`](super::Response::switching).
///
/// As a [`Read`] it yields those bytes first, then what the socket
/// brings; as a [`Write`] it writes to the socket. The socket blocks and
/// has no timeouts (the server's are cleared): set your own. Nagle's
/// algorithm stays off (`TCP_NODELAY`), as the server had it. For two
/// directions at once, [`into_parts`](Switched::into_parts) and
/// [`TcpStream::try_clone`].
///
/// ```
/// use std::io::{Read, Write};
/// use httpwire::server::Switched;
///
/// // Echoes the new protocol's bytes until the client closes.
/// fn echo(mut conn: Switched) {
///     let mut buf = [0u8; 4096];
///     while let Ok(n @ 1..) = conn.read(&mut buf) {
///         if conn.write_all(&buf[..n]).is_err() {
///             break;
///         }
///     }
/// }
/// ```
pub struct Switched {
    stream: TcpStream,
    read_ahead: Vec<u8>,
    /// How much of `read_ahead` was read.
    taken: usize,
    remote: SocketAddr,
}

impl Switched {
    /// The socket. Reading it directly skips [`read_ahead`](Switched::read_ahead).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The bytes received past the request and not read yet through this
    /// `Switched`: the start of the new protocol's input.
    pub fn read_ahead(&self) -> &[u8] {
        self.read_ahead.get(self.taken..).unwrap_or_default()
    }

    /// The client's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }

    /// The socket and the bytes of [`read_ahead`](Switched::read_ahead),
    /// which come before anything read from the socket.
    pub fn into_parts(mut self) -> (TcpStream, Vec<u8>) {
        self.read_ahead
            .drain(..self.taken.min(self.read_ahead.len()));
        (self.stream, self.read_ahead)
    }
}

impl Read for Switched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let ahead = self.read_ahead();
        if ahead.is_empty() {
            return (&self.stream).read(buf);
        }
        let n = ahead.len().min(buf.len());
        buf[..n].copy_from_slice(&ahead[..n]);
        self.taken += n;
        Ok(n)
    }
}

impl Write for Switched {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        (&self.stream).write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for Switched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Switched")
            .field("remote", &self.remote)
            .field("read_ahead", &self.read_ahead().len())
            .finish_non_exhaustive()
    }
}

/// Hands `stream`, the socket of a connection whose switching response
/// was sent, with the bytes read past its request, to `on_switch` on a
/// thread of its own (with `stack_size`). The connection must have left
/// the server's registry, so that no shutdown cuts the socket off from
/// under the callback.
pub(crate) fn hand_over(
    stream: TcpStream,
    remote: SocketAddr,
    read_ahead: Vec<u8>,
    on_switch: OnSwitch,
    stack_size: usize,
) {
    // The callback gets an ordinary blocking socket, without the server's
    // timeouts (threads) or non-blocking mode (events).
    let reset = (|| {
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(None)?;
        stream.set_write_timeout(None)
    })();
    if let Err(e) = reset {
        eprintln!("httpwire: switched connection lost: {e}");
        return;
    }
    let switched = Switched {
        stream,
        read_ahead,
        taken: 0,
        remote,
    };
    let spawned = thread::Builder::new()
        .name("httpwire-switched".into())
        .stack_size(stack_size)
        .spawn(move || on_switch(switched));
    if let Err(e) = spawned {
        // The closure, and with it the socket, is dropped: the client sees
        // the connection close.
        eprintln!("httpwire: no thread for a switched connection, closed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    /// A `Switched` over a loopback connection whose client side is
    /// returned, with `ahead` as the bytes read past the request.
    fn switched(ahead: &[u8]) -> (Switched, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, remote) = listener.accept().unwrap();
        for end in [&stream, &client] {
            end.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        }
        let conn = Switched {
            stream,
            read_ahead: ahead.to_vec(),
            taken: 0,
            remote,
        };
        (conn, client)
    }

    /// The bytes read past the request come first, then the socket's; a
    /// write goes to the socket.
    #[test]
    fn reads_the_read_ahead_first_then_the_socket() {
        let (mut conn, mut client) = switched(b"early");
        client.write_all(b" later").unwrap();
        let mut buf = [0u8; 3];
        conn.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ear");
        assert_eq!(conn.read_ahead(), b"ly");
        let mut rest = [0u8; 8];
        conn.read_exact(&mut rest).unwrap();
        assert_eq!(&rest, b"ly later");
        conn.write_all(b"back").unwrap();
        let mut back = [0u8; 4];
        client.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"back");
    }

    #[test]
    fn into_parts_gives_what_was_not_read() {
        let (mut conn, _client) = switched(b"abc");
        let mut one = [0u8; 1];
        conn.read_exact(&mut one).unwrap();
        let (_, rest) = conn.into_parts();
        assert_eq!(rest, b"bc");
    }
}
