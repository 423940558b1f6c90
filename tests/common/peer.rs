//! A sans-IO connection of either role with its unconsumed input and its
//! output, for the connection test files (each includes this file with
//! `#[path]`, as it needs none of the server helpers in `mod.rs`).

// Each test file uses only some of these.
#![allow(dead_code)]

use httpwire::conn::{DataFrame, SendError};
use httpwire::Header;

/// What a test file reads from its role's connection.
pub(crate) trait Role: Default {
    /// An event, owned, for comparison.
    type Ev;

    /// One poll of `input`: the bytes it consumed and the event (an error
    /// as an event, consuming nothing).
    fn poll_owned(&mut self, input: &[u8]) -> (usize, Self::Ev);

    /// Does the connection wait after `ev` (for input, or for the caller)?
    fn waits(ev: &Self::Ev) -> bool;

    /// The role's `send_data`.
    fn send_data(&mut self, data: &[u8]) -> Result<DataFrame, SendError>;

    /// The role's `send_end`.
    fn send_end(&mut self, trailers: &[Header<'_>], out: &mut [u8]) -> Result<usize, SendError>;
}

/// A connection with its unconsumed input and its output.
pub struct Peer<C> {
    pub conn: C,
    pub input: Vec<u8>,
    pub out: Vec<u8>,
}

impl<C: Role> Peer<C> {
    pub fn new() -> Peer<C> {
        Peer {
            conn: C::default(),
            input: Vec::new(),
            out: Vec::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) -> &mut Peer<C> {
        self.input.extend_from_slice(bytes);
        self
    }

    /// One poll, consuming what it says.
    pub fn poll(&mut self) -> C::Ev {
        let (used, ev) = self.conn.poll_owned(&self.input);
        self.input.drain(..used);
        ev
    }

    /// Polls until the connection waits, collecting the events.
    pub fn events(&mut self) -> Vec<C::Ev> {
        let mut evs = Vec::new();
        loop {
            let ev = self.poll();
            let stop = C::waits(&ev);
            evs.push(ev);
            if stop {
                return evs;
            }
        }
    }

    pub fn data(&mut self, data: &[u8]) -> Result<(), SendError> {
        let frame = self.conn.send_data(data)?;
        self.out.extend_from_slice(frame.prefix());
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(frame.suffix());
        Ok(())
    }

    pub fn end(&mut self, trailers: &[Header<'_>]) -> Result<(), SendError> {
        let mut buf = [0u8; 256];
        let n = self.conn.send_end(trailers, &mut buf)?;
        self.out.extend_from_slice(&buf[..n]);
        Ok(())
    }

    /// Adds to the output what `send` (a role's send method) writes.
    pub fn write(
        &mut self,
        send: impl FnOnce(&mut C, &mut [u8]) -> Result<usize, SendError>,
    ) -> Result<(), SendError> {
        let mut buf = [0u8; 1024];
        let n = send(&mut self.conn, &mut buf)?;
        self.out.extend_from_slice(&buf[..n]);
        Ok(())
    }

    pub fn take_out(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.out)).unwrap()
    }
}
