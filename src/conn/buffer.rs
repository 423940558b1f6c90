//! The input buffer of a connection, over storage its caller owns: the
//! bytes received and not yet consumed, the head of the message being read
//! kept in place, and the free space the next read goes into.

/// A connection's input buffer: `[held head | consumed | unconsumed |
/// free]` in storage the caller owns (an array, a `Vec<u8>`, a boxed
/// slice), so it allocates nothing and works without `std`.
///
/// * Read into [`spare`](InputBuffer::spare) and report the count with
///   [`filled`](InputBuffer::filled);
/// * poll the connection with [`input`](InputBuffer::input) and drop what
///   the event consumed with [`consume`](InputBuffer::consume);
/// * consume a head with [`hold`](InputBuffer::hold) instead, to keep it in
///   place while the body is read (see [`split`](InputBuffer::split)), and
///   [`release`](InputBuffer::release) it when the message ends.
///
/// When the free space runs out, `spare` compacts: it moves the held head
/// and the unconsumed bytes, and only them, to the front (and when nothing
/// is left to keep, it starts over at the front without copying). An empty `spare`
/// means the storage is full of them: the head (or a chunk line) is larger
/// than the buffer, which the caller answers as too large.
///
/// ```
/// use httpwire::conn::InputBuffer;
///
/// let mut buf = InputBuffer::new([0u8; 16]);
/// buf.spare()[..6].copy_from_slice(b"abcdef");
/// buf.filled(6);
/// buf.hold(2); // "ab" is a head to keep
/// buf.consume(3); // "cde" was handed out
/// assert_eq!((buf.held(), buf.input()), (&b"ab"[..], &b"f"[..]));
/// buf.spare()[..10].copy_from_slice(b"0123456789");
/// buf.filled(10); // the storage's end is reached
/// buf.consume(1); // "f" was handed out
/// // No room at the end: `spare` moves the head and "0123456789", and
/// // only them, to the front.
/// assert_eq!(buf.spare().len(), 4);
/// assert_eq!((buf.held(), buf.input()), (&b"ab"[..], &b"0123456789"[..]));
/// ```
#[derive(Clone, Debug)]
pub struct InputBuffer<S> {
    storage: S,
    /// The held head: `storage[held_start..held_end]`.
    held_start: usize,
    held_end: usize,
    /// The unconsumed bytes: `storage[start..end]`.
    start: usize,
    end: usize,
}

impl<S: AsRef<[u8]> + AsMut<[u8]>> InputBuffer<S> {
    /// An empty buffer over `storage`, whose length is the buffer's size.
    pub fn new(storage: S) -> InputBuffer<S> {
        InputBuffer {
            storage,
            held_start: 0,
            held_end: 0,
            start: 0,
            end: 0,
        }
    }

    /// The bytes received and not yet consumed: what to poll the
    /// connection with.
    pub fn input(&self) -> &[u8] {
        self.storage
            .as_ref()
            .get(self.start..self.end)
            .unwrap_or_default()
    }

    /// Drops `n` bytes from the front of the input (at most all of it).
    pub fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
    }

    /// Consumes `n` bytes that form a message head and keeps them in place
    /// until [`release`](InputBuffer::release), replacing any head held
    /// before: a caller that reads the body in more than one read can still
    /// look at the head ([`split`](InputBuffer::split)).
    pub fn hold(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.held_start = self.start;
        self.start += n;
        self.held_end = self.start;
    }

    /// The held head (empty if none).
    pub fn held(&self) -> &[u8] {
        self.storage
            .as_ref()
            .get(self.held_start..self.held_end)
            .unwrap_or_default()
    }

    /// Forgets the held head: its message has ended. Its bytes become free
    /// space at the next compaction.
    pub fn release(&mut self) {
        self.held_start = self.held_end;
    }

    /// The free space to read into, after compacting if there is none at
    /// the end. Empty only when the held head and the unconsumed input fill
    /// the whole storage.
    pub fn spare(&mut self) -> &mut [u8] {
        let len = self.storage.as_ref().len();
        if self.start == self.end && self.held_start == self.held_end {
            // Nothing to keep: start over at the front, copying nothing.
            (self.held_start, self.held_end, self.start, self.end) = (0, 0, 0, 0);
        } else if self.end == len {
            self.compact();
        }
        self.storage
            .as_mut()
            .get_mut(self.end..)
            .unwrap_or_default()
    }

    /// `n` bytes were written to the front of [`spare`](InputBuffer::spare):
    /// they join the input (at most as many as there was room for).
    pub fn filled(&mut self, n: usize) {
        let len = self.storage.as_ref().len();
        self.end = self.end.saturating_add(n).min(len);
    }

    /// The held head, and the rest of the buffer to go on reading with:
    /// the head stays borrowed (for a [`Request`](crate::Request) made from
    /// it) while the body's bytes are read, consumed and compacted in the
    /// rest, which never moves it. The head is first moved to the front
    /// (with the unconsumed bytes), so the rest has all the free room.
    pub fn split(&mut self) -> (&[u8], Rest<'_>) {
        if self.held_start > 0 && self.held_start < self.held_end {
            // The head cannot move while it is lent out: put it (and the
            // unconsumed bytes) at the front now, so that the rest has all
            // the room there is.
            self.compact();
        }
        // With no head held, the rest is the whole storage.
        let base = if self.held_start == self.held_end {
            0
        } else {
            self.held_end
        };
        let (front, back) = self.storage.as_mut().split_at_mut(base);
        let held = front.get(self.held_start..).unwrap_or_default();
        let rest = Rest {
            bytes: back,
            base,
            start: &mut self.start,
            end: &mut self.end,
        };
        (held, rest)
    }

    /// Moves the held head to the front and the unconsumed bytes right
    /// after it: only what is still needed is copied.
    fn compact(&mut self) {
        let storage = self.storage.as_mut();
        let held = self.held_end - self.held_start;
        if self.held_start > 0 {
            storage.copy_within(self.held_start..self.held_end, 0);
            self.held_start = 0;
            self.held_end = held;
        }
        if self.start > self.held_end {
            storage.copy_within(self.start..self.end, self.held_end);
            self.end -= self.start - self.held_end;
            self.start = self.held_end;
        }
    }
}

/// The part of an [`InputBuffer`] after its held head, from
/// [`InputBuffer::split`]: the same input, consume, spare and filled
/// operations, over bytes that never include the head.
#[derive(Debug)]
pub struct Rest<'a> {
    bytes: &'a mut [u8],
    /// Where `bytes` starts in the storage.
    base: usize,
    start: &'a mut usize,
    end: &'a mut usize,
}

impl Rest<'_> {
    /// The bytes received and not yet consumed.
    pub fn input(&self) -> &[u8] {
        self.bytes
            .get(*self.start - self.base..*self.end - self.base)
            .unwrap_or_default()
    }

    /// Drops `n` bytes from the front of the input.
    pub fn consume(&mut self, n: usize) {
        *self.start = self.start.saturating_add(n).min(*self.end);
    }

    /// The free space to read into; when there is none at the end, the
    /// unconsumed bytes move down to just after the held head first.
    pub fn spare(&mut self) -> &mut [u8] {
        if *self.start == *self.end {
            // Nothing unconsumed: start over right after the head.
            (*self.start, *self.end) = (self.base, self.base);
        } else if *self.end - self.base == self.bytes.len() && *self.start > self.base {
            let (start, end) = (*self.start - self.base, *self.end - self.base);
            self.bytes.copy_within(start..end, 0);
            *self.end -= *self.start - self.base;
            *self.start = self.base;
        }
        self.bytes
            .get_mut(*self.end - self.base..)
            .unwrap_or_default()
    }

    /// `n` bytes were written to the front of [`spare`](Rest::spare).
    pub fn filled(&mut self, n: usize) {
        *self.end = self.end.saturating_add(n).min(self.base + self.bytes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(buf: &mut InputBuffer<[u8; 8]>, bytes: &[u8]) {
        buf.spare()[..bytes.len()].copy_from_slice(bytes);
        buf.filled(bytes.len());
    }

    #[test]
    fn compaction_moves_only_the_held_head_and_the_unconsumed_bytes() {
        let mut buf = InputBuffer::new([0u8; 8]);
        fill(&mut buf, b"xxHHbbbu");
        buf.consume(2);
        buf.hold(2);
        buf.consume(3);
        assert_eq!(buf.spare().len(), 5, "HH and u moved to the front");
        assert_eq!(&buf.storage[..3], b"HHu");
        assert_eq!((buf.held(), buf.input()), (&b"HH"[..], &b"u"[..]));
        buf.release();
        buf.consume(1);
        assert_eq!(
            buf.spare().len(),
            8,
            "nothing to keep: it starts over at the front"
        );
        fill(&mut buf, b"12345");
        assert_eq!(
            buf.spare().len(),
            3,
            "the released head's room is free again"
        );
        assert_eq!(buf.input(), b"12345");
    }

    #[test]
    fn the_rest_reads_and_compacts_without_moving_the_head() {
        let mut buf = InputBuffer::new([0u8; 8]);
        fill(&mut buf, b"HHHab");
        buf.hold(3);
        let (head, mut rest) = buf.split();
        assert_eq!(rest.input(), b"ab");
        rest.consume(1);
        let spare = rest.spare();
        spare[..3].copy_from_slice(b"cde");
        rest.filled(3);
        assert_eq!(rest.input(), b"bcde");
        rest.consume(3);
        assert_eq!(rest.spare().len(), 4, "e moved down to just after the head");
        assert_eq!(rest.input(), b"e");
        assert_eq!(head, b"HHH");
        assert_eq!(buf.held(), b"HHH");
        assert_eq!(buf.input(), b"e");
    }

    #[test]
    fn a_full_buffer_has_no_spare() {
        let mut buf = InputBuffer::new([0u8; 8]);
        fill(&mut buf, b"12345678");
        assert!(buf.spare().is_empty());
        buf.hold(8);
        assert!(buf.spare().is_empty());
        buf.filled(5);
        assert_eq!(buf.input(), b"", "filled never goes past the storage");
    }

    #[test]
    fn consume_and_hold_never_go_past_the_input() {
        let mut buf = InputBuffer::new([0u8; 8]);
        fill(&mut buf, b"abc");
        buf.hold(10);
        assert_eq!(buf.held(), b"abc");
        buf.consume(10);
        assert_eq!(buf.input(), b"");
    }
}
