//! The chunked transfer coding (RFC 9112 §7.1): a streaming, zero-copy
//! [`ChunkedDecoder`] and encoders that write into caller buffers.
//!
//! The decoder is a byte-at-a-time state machine for chunk-size lines and
//! extensions, hands chunk data out as sub-slices of its input, and returns
//! trailer fields as [`Header`]s borrowed from the input. It never reads past
//! the final CRLF of the body, so pipelined bytes that follow stay with the
//! caller.

use crate::chars::{hex_value, is_token};
use crate::error::{EncodeError, Error, ErrorKind};
use crate::field::Header;
use crate::head::{HeadParser, LineProgress};
use crate::limits::Limits;
use crate::serialize::check_headers;

/// One event of a body decoder (chunked here, and every
/// [`BodyDecoder`](crate::BodyDecoder) mode): it lives with the lowest decoder,
/// so that [`body`](crate::body) builds on this module and not the other way
/// round. Every call returns the number of bytes
/// consumed along with one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// Body data, a non-empty sub-slice of the input.
    Data(&'a [u8]),
    /// One trailer field of a chunked body (RFC 9112 §7.1.2), borrowed from
    /// the input. Trailers never change the framing.
    Trailer(Header<'a>),
    /// The body is complete. Bytes after it belong to the next message.
    Done,
    /// More input is needed. Present the unconsumed bytes again, followed by
    /// new ones.
    NeedMore,
}

/// Where the decoder is inside the chunked body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Start of a chunk line: no chunk-size digit yet.
    SizeStart,
    /// Inside the chunk-size digits.
    Size,
    /// Inside the chunk extensions, at `ext`.
    Ext,
    /// A CR ended the chunk line; LF must follow.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// Chunk data done; CR must follow.
    DataCr,
    /// Chunk data and CR done; LF must follow.
    DataLf,
    /// In the trailer section, at the start of a line that the head loop
    /// has decided as far as `trailer` says.
    Trailer,
    /// The final CRLF was consumed.
    Done,
    /// An error was returned, kept in `failed`.
    Failed,
}

/// Where [`extension_byte`] is inside the chunk extensions (RFC 9112
/// §7.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ext {
    /// BWS after the chunk-size: only more BWS or `;` may follow.
    SizeBws,
    /// After `;`: BWS, then an ext-name.
    NameStart,
    /// Inside an ext-name.
    Name,
    /// BWS after an ext-name: `=`, `;` or more BWS.
    NameBws,
    /// After `=`: BWS, then an ext-val.
    ValueStart,
    /// Inside a token ext-val.
    Token,
    /// Inside a quoted-string ext-val.
    Quoted,
    /// After a `\` inside a quoted-string.
    QuotedPair,
    /// Right after the closing DQUOTE of a quoted-string.
    QuotedEnd,
    /// BWS after an ext-val: `;` or more BWS.
    ValueBws,
}

/// A streaming decoder for a chunked body (RFC 9112 §7.1).
///
/// Feed it the bytes that follow the request head. Each call to
/// [`decode`](ChunkedDecoder::decode) returns how many bytes it consumed and
/// one event; the caller keeps the unconsumed rest and presents it again,
/// followed by any new bytes, on the next call. Slices of any size work, one
/// byte at a time included, and the total cost stays linear in the bytes fed.
///
/// * [`Decoded::Data`] is chunk data, a sub-slice of the input (no copy).
/// * [`Decoded::Trailer`] is one trailer field, borrowed from the input.
///   Trailers never change the framing: a `Content-Length` or `Host` trailer
///   is handed out like any other field.
/// * [`Decoded::NeedMore`] asks for more bytes. A partial trailer line is not
///   consumed (the decoder remembers how far it decided it, so it is not
///   read again).
/// * [`Decoded::Done`] comes once the final CRLF is consumed; nothing past it
///   is ever consumed, so the next pipelined request starts right there.
///
/// Errors carry the offset of the offending byte counted from the first byte
/// ever fed to this decoder. After an error the decoder returns the same
/// error again on every call.
///
/// ```
/// use httpwire::{ChunkedDecoder, Decoded};
///
/// let mut dec = ChunkedDecoder::new();
/// let input = b"5;ext=1\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\nGET / HTTP/1.1\r\n";
/// let mut pos = 0;
/// let mut body = [0u8; 8];
/// let mut body_len = 0;
/// loop {
///     let (n, event) = dec.decode(&input[pos..])?;
///     pos += n;
///     match event {
///         Decoded::Data(d) => {
///             body[body_len..body_len + d.len()].copy_from_slice(d);
///             body_len += d.len();
///         }
///         Decoded::Trailer(h) => assert_eq!((h.name, h.value), ("X-Sum", &b"42"[..])),
///         Decoded::Done => break,
///         Decoded::NeedMore => unreachable!("the whole body is here"),
///     }
/// }
/// assert_eq!(&body[..body_len], b"hello");
/// assert_eq!(&input[pos..], b"GET / HTTP/1.1\r\n");
/// # Ok::<(), httpwire::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ChunkedDecoder {
    state: State,
    /// Where the chunk extensions are, in [`State::Ext`].
    ext: Ext,
    /// The error returned, returned again on every later call.
    failed: Option<Error>,
    /// Bytes consumed by earlier calls (the base of error offsets).
    consumed: usize,
    /// The chunk-size being parsed (0 when a chunk line starts), then the
    /// data bytes left in the chunk.
    size: u64,
    /// Sum of all chunk sizes declared so far.
    declared: u64,
    /// Chunk-data bytes handed out so far.
    body_len: u64,
    /// Bytes the current chunk line may still have, without its CR.
    line_room: usize,
    /// Chunk-extension bytes the current chunk line may still have.
    ext_room: usize,
    /// How far the head loop, the one parser of field lines (RFC 9112 §5),
    /// decided the current trailer line in earlier calls.
    trailer: LineProgress,
    /// Bytes of the complete trailer field lines, line endings included.
    trailer_bytes: usize,
    /// Number of complete trailer field lines.
    trailer_count: usize,
    max_body: u64,
    max_chunk_line: usize,
    max_chunk_extension: usize,
    max_trailers: usize,
    max_headers: usize,
    max_header_line: usize,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        ChunkedDecoder::new()
    }
}

impl ChunkedDecoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> ChunkedDecoder {
        ChunkedDecoder::with_limits(&Limits::DEFAULT)
    }

    /// A decoder enforcing `limits`: `max_body` (sum of chunk sizes),
    /// `max_chunk_line` and `max_chunk_extension` (per chunk line), and for
    /// the trailer section `max_trailers` (bytes), `max_headers` (lines) and
    /// `max_header_line`.
    pub fn with_limits(limits: &Limits) -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::SizeStart,
            ext: Ext::SizeBws,
            failed: None,
            consumed: 0,
            size: 0,
            declared: 0,
            body_len: 0,
            line_room: limits.max_chunk_line,
            ext_room: limits.max_chunk_extension,
            trailer: LineProgress::START,
            trailer_bytes: 0,
            trailer_count: 0,
            max_body: limits.max_body,
            max_chunk_line: limits.max_chunk_line,
            max_chunk_extension: limits.max_chunk_extension,
            max_trailers: limits.max_trailers,
            max_headers: limits.max_headers,
            max_header_line: limits.max_header_line,
        }
    }

    /// Has the whole body, final CRLF included, been consumed?
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Replaces the `max_body` limit, for a limit decided once the head was
    /// routed (an endpoint's own). The chunk-sizes declared so far must fit
    /// it (RULES LM-6), else the decoder fails as [`decode`](Self::decode)
    /// would.
    pub(crate) fn set_max_body(&mut self, max_body: u64) -> Result<(), Error> {
        self.max_body = max_body;
        if self.declared > max_body {
            let e = Error::new(ErrorKind::BodyTooLarge, self.consumed);
            self.failed = Some(e);
            self.state = State::Failed;
            return Err(e);
        }
        Ok(())
    }

    /// The number of chunk-data bytes handed out so far.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// The number of bytes consumed so far, chunked framing included.
    pub(crate) fn consumed(&self) -> usize {
        self.consumed
    }

    /// Decodes from `input`, which must start with the bytes not consumed by
    /// the previous call. Returns the number of bytes consumed and one event;
    /// see the [type documentation](ChunkedDecoder).
    #[inline]
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Decoded<'a>), Error> {
        match self.step(input) {
            Ok((n, event)) => {
                self.consumed = self.consumed.saturating_add(n);
                Ok((n, event))
            }
            Err(e) => {
                self.failed = Some(e);
                self.state = State::Failed;
                Err(e)
            }
        }
    }

    /// [`decode`](Self::decode) without the bookkeeping. A body is always
    /// in this order: the CRLF after a chunk's data, a chunk line, then the
    /// chunk's data or, after the last-chunk, the trailer section; one call
    /// takes each in turn, up to the next event.
    #[inline]
    fn step<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Decoded<'a>), Error> {
        let mut i = 0;
        if matches!(self.state, State::DataCr | State::DataLf) {
            match self.data_crlf(input, i)? {
                Some(next) => i = next,
                None => return Ok((input.len(), Decoded::NeedMore)),
            }
        }
        if matches!(
            self.state,
            State::SizeStart | State::Size | State::Ext | State::SizeLf
        ) {
            match self.chunk_line(input, i)? {
                Some(next) => i = next,
                None => return Ok((input.len(), Decoded::NeedMore)),
            }
        }
        if self.state == State::Data {
            let rest = input.get(i..).unwrap_or_default();
            if rest.is_empty() {
                return Ok((i, Decoded::NeedMore));
            }
            let n = usize::try_from(self.size).map_or(rest.len(), |s| s.min(rest.len()));
            let data = rest.get(..n).unwrap_or(rest);
            // At most `size` bytes: no underflow.
            self.size -= data.len() as u64;
            self.body_len = self.body_len.saturating_add(data.len() as u64);
            if self.size == 0 {
                self.state = State::DataCr;
            }
            return Ok((i + data.len(), Decoded::Data(data)));
        }
        self.step_no_data(input, i)
    }

    /// The rest of [`step`](Self::step), for the states that hand out no
    /// data: the trailer section, the end, a failure.
    #[inline(never)]
    fn step_no_data<'a>(
        &mut self,
        input: &'a [u8],
        i: usize,
    ) -> Result<(usize, Decoded<'a>), Error> {
        match self.state {
            State::Trailer => {
                let line = input.get(i..).unwrap_or_default();
                self.trailer_line(line, i)
            }
            State::Done => Ok((i, Decoded::Done)),
            State::Failed => self.failed.map_or(Ok((i, Decoded::NeedMore)), Err),
            // Not reached: the CRLF after data leads to a chunk line, and a
            // chunk line to data or the trailer section.
            State::SizeStart
            | State::Size
            | State::Ext
            | State::SizeLf
            | State::Data
            | State::DataCr
            | State::DataLf => Ok((i, Decoded::NeedMore)),
        }
    }

    /// The CRLF after chunk data, from where the previous call stopped in
    /// it: exactly CRLF (RFC 9112 §7.1, CH-6). Returns where the next chunk
    /// line starts, or `None` once `input` is used up.
    #[inline]
    fn data_crlf(&mut self, input: &[u8], mut i: usize) -> Result<Option<usize>, Error> {
        let missing = |i: usize| {
            let at = self.consumed.saturating_add(i);
            Err(Error::new(ErrorKind::MissingChunkDataCrlf, at))
        };
        if self.state == State::DataCr {
            if let Some([b'\r', b'\n', ..]) = input.get(i..) {
                self.state = State::SizeStart;
                return Ok(Some(i + 2));
            }
            match input.get(i) {
                None => return Ok(None),
                Some(b'\r') => self.state = State::DataLf,
                Some(_) => return missing(i),
            }
            i += 1;
        }
        match input.get(i) {
            None => Ok(None),
            Some(b'\n') => {
                self.state = State::SizeStart;
                Ok(Some(i + 1))
            }
            Some(_) => missing(i),
        }
    }

    /// The chunk line, `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1), from
    /// where the previous call stopped in it. Returns where the bytes after
    /// its LF start (the chunk data or the trailer section), or `None` once
    /// `input` is used up, every byte taken into the state.
    ///
    /// This is the only parser of chunk lines. It takes the parts of the
    /// line in their order, each byte once (the common `HEXDIG+ CRLF` in
    /// one pass), so a line split anywhere costs what it costs whole and
    /// fails with the same kind at the same offset.
    #[inline]
    fn chunk_line(&mut self, input: &[u8], mut i: usize) -> Result<Option<usize>, Error> {
        let consumed = self.consumed;
        let err = |kind, i: usize| Err(Error::new(kind, consumed.saturating_add(i)));
        if matches!(self.state, State::SizeStart | State::Size) {
            // RFC 9112 §7.1: chunk-size = 1*HEXDIG, any number of leading
            // zeros (CH-1).
            let (start, mut size) = (i, self.size);
            let overflow = loop {
                let Some(d) = input.get(i).and_then(|&b| hex_value(b)) else {
                    break false;
                };
                // No overflow, no wrap at 2^64 (CH-4, SM-5): a 17th
                // significant digit is past u64.
                if size >> 60 != 0 {
                    break true;
                }
                size = size << 4 | u64::from(d);
                i += 1;
            };
            // The digits (and an overflowing one) against the line limit,
            // as if counted one by one: the first past it is the error.
            let room = self.line_room;
            if i - start + usize::from(overflow) > room {
                return err(ErrorKind::ChunkLineTooLong, start + room);
            }
            if overflow {
                return err(ErrorKind::ChunkSizeOverflow, i);
            }
            self.size = size;
            if i > start {
                if let Some([b'\r', b'\n', ..]) = input.get(i..) {
                    // The common line end, both bytes at once.
                    let at = self.consumed.saturating_add(i + 1);
                    self.state = self.chunk_line_done(at)?;
                    return Ok(Some(i + 2));
                }
                self.state = State::Size;
                self.line_room = room - (i - start);
            }
            let size_done = self.state == State::Size;
            let Some(&b) = input.get(i) else {
                return Ok(None);
            };
            if b != b'\r' {
                let ext = size_done && matches!(b, b' ' | b'\t' | b';');
                if let Err(kind) = self.count_line_byte(ext) {
                    return err(kind, i);
                }
            }
            // No sign, `0x`, `_`, whitespace before the size or after it
            // without an extension, and no empty size (CH-5, SM-5).
            self.state = match (size_done, b) {
                (true, b'\r') => State::SizeLf,
                (true, b'\n') => return err(ErrorKind::InvalidChunkLineEnding, i),
                (true, b' ' | b'\t') => {
                    self.ext = Ext::SizeBws;
                    State::Ext
                }
                (true, b';') => {
                    self.ext = Ext::NameStart;
                    State::Ext
                }
                _ => return err(ErrorKind::InvalidChunkSize, i),
            };
            i += 1;
        }
        while self.state == State::Ext {
            let Some(&b) = input.get(i) else {
                return Ok(None);
            };
            if b != b'\r' {
                if let Err(kind) = self.count_line_byte(true) {
                    return err(kind, i);
                }
            }
            match extension_byte(self.ext, b) {
                Ok(Some(next)) => self.ext = next,
                Ok(None) => self.state = State::SizeLf,
                Err(kind) => return err(kind, i),
            }
            i += 1;
        }
        if self.state != State::SizeLf {
            // Not in a chunk line.
            return Ok(Some(i));
        }
        // RFC 9112 §7.1, §2.2: CR then LF; no bare CR, no CR CR (CH-7,
        // SM-8).
        match input.get(i) {
            None => Ok(None),
            Some(b'\n') => {
                let at = self.consumed.saturating_add(i);
                self.state = self.chunk_line_done(at)?;
                Ok(Some(i + 1))
            }
            Some(_) => err(ErrorKind::InvalidChunkLineEnding, i),
        }
    }

    /// Counts one byte of the chunk line (any but its CR), `ext` if it is
    /// part of the chunk extensions, before its grammar is checked, so that
    /// a line that never ends is refused once it is too long. RFC 9112
    /// §7.1.1 asks to limit the chunk-ext (LM-7); the line limit also
    /// bounds the leading zeros of the chunk-size. (A run of digits is
    /// counted at once, in [`chunk_line`](Self::chunk_line).)
    #[inline(always)]
    fn count_line_byte(&mut self, ext: bool) -> Result<(), ErrorKind> {
        if ext {
            self.ext_room = self
                .ext_room
                .checked_sub(1)
                .ok_or(ErrorKind::ChunkExtensionTooLong)?;
        }
        self.line_room = self
            .line_room
            .checked_sub(1)
            .ok_or(ErrorKind::ChunkLineTooLong)?;
        Ok(())
    }

    /// The LF of a chunk line: start the data, or the trailer section after
    /// the last-chunk (`last-chunk = 1*"0" [ chunk-ext ] CRLF`).
    fn chunk_line_done(&mut self, at: usize) -> Result<State, Error> {
        self.line_room = self.max_chunk_line;
        self.ext_room = self.max_chunk_extension;
        if self.size == 0 {
            return Ok(State::Trailer);
        }
        // RFC 9110 §15.5.14: a declared body over the limit is refused before
        // its data is read (LM-6).
        match self.declared.checked_add(self.size) {
            Some(total) if total <= self.max_body => {
                self.declared = total;
                Ok(State::Data)
            }
            _ => Err(Error::new(ErrorKind::BodyTooLarge, at)),
        }
    }

    /// The trailer line starting at `line[0]` (which is `input[i]`), run
    /// through the head loop from where earlier calls left it: one field
    /// line (handed out), the empty line that ends the section, or more
    /// bytes needed (nothing consumed).
    ///
    /// `trailer-section = *( field-line CRLF )`, then the final CRLF
    /// (RFC 9112 §7.1.2, §7.1). Trailer fields are field lines (no
    /// obs-fold, colon required, no whitespace before it, no CTL in the
    /// value; TR-2), decided by the head's one loop.
    fn trailer_line<'a>(
        &mut self,
        line: &'a [u8],
        i: usize,
    ) -> Result<(usize, Decoded<'a>), Error> {
        let limits = self.trailer_limits();
        let mut head = HeadParser::trailer_line(limits, self.trailer);
        let mut field = [Header::EMPTY];
        let result = head.advance(line, &mut field);
        // A field line completed in this run (a field name is never
        // empty): the loop stopped at the next line's first byte, which is
        // decided again as part of that line (see `Role::Trailers`).
        if !field[0].name.is_empty() {
            let len = match result {
                // Only a bare LF can end a run after a field line.
                Err(e) => {
                    debug_assert_eq!(e.kind(), ErrorKind::BareLf);
                    e.offset()
                }
                Ok(_) => head.line_start(),
            };
            self.trailer_count = self.trailer_count.saturating_add(1);
            self.trailer_bytes = self.trailer_bytes.saturating_add(len);
            self.trailer = LineProgress::START;
            return Ok((i.saturating_add(len), Decoded::Trailer(field[0])));
        }
        match result {
            Ok(None) => {
                self.trailer = head.line_progress();
                Ok((i, Decoded::NeedMore))
            }
            Ok(Some(done)) => {
                self.state = State::Done;
                Ok((i.saturating_add(done.head_len), Decoded::Done))
            }
            Err(e) => Err(trailer_error(
                &limits,
                self.max_header_line,
                e,
                self.consumed.saturating_add(i),
            )),
        }
    }

    /// The limits of the head loop for the next trailer line, those left
    /// for it (LM-8): `max_headers` lines in all; `max_header_line` bytes
    /// without the CRLF; and the section's `max_trailers` bytes, line
    /// endings included, of which the line and its CRLF may take what the
    /// lines before it left, so at most that less 2 before its CRLF. The
    /// empty line that ends the section is not counted, and the loop's
    /// line limit never applies to a line end. The loop checks each on the
    /// byte that crosses it, so the answer does not depend on how the
    /// bytes were split.
    fn trailer_limits(&self) -> Limits {
        let room = self.max_trailers.saturating_sub(self.trailer_bytes);
        Limits {
            max_header_line: self.max_header_line.min(room.saturating_sub(2)),
            max_headers: self.max_headers.saturating_sub(self.trailer_count),
            // Only the two limits above bound a trailer line.
            max_head: usize::MAX,
            ..Limits::DEFAULT
        }
    }
}

/// A trailer line's error from the head loop run with `limits`, at `base`
/// plus its offset in the line, with the trailer section's kinds: the line
/// limit is the section's when the room left binds it, below the decoder's
/// `max_header_line` (`TrailersTooLarge`), and a bare LF is a chunked
/// body's line-ending error (RFC 9112 §7.1, §2.2; LE-3).
#[cold]
fn trailer_error(limits: &Limits, max_header_line: usize, e: Error, base: usize) -> Error {
    let kind = match e.kind() {
        ErrorKind::HeaderLineTooLong if limits.max_header_line < max_header_line => {
            ErrorKind::TrailersTooLarge
        }
        ErrorKind::BareLf => ErrorKind::InvalidChunkLineEnding,
        kind => kind,
    };
    Error::new(kind, base.saturating_add(e.offset()))
}

/// One byte of the chunk extensions at `ext`: where they are next, `None`
/// for the CR that ends the line after a complete extension, or the kind of
/// the error.
///
/// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`,
/// `ext-name = token`, `ext-val = token / quoted-string`: unrecognised
/// extensions are parsed and ignored (RFC 9112 §7.1.1; CH-2, CH-3, CH-8).
fn extension_byte(ext: Ext, b: u8) -> Result<Option<Ext>, ErrorKind> {
    let next = match (ext, b) {
        // BWS is allowed only before `;`: `5 \r\n` is a trailing space on
        // the size (CH-5).
        (Ext::SizeBws, b' ' | b'\t') => Ext::SizeBws,
        (Ext::SizeBws, b';') => Ext::NameStart,
        (Ext::SizeBws, _) => return Err(ErrorKind::InvalidChunkSize),
        (Ext::NameStart, b' ' | b'\t') => Ext::NameStart,
        (Ext::NameStart | Ext::Name, _) if is_token(b) => Ext::Name,
        (Ext::Name, b' ' | b'\t') | (Ext::NameBws, b' ' | b'\t') => Ext::NameBws,
        (Ext::Name | Ext::NameBws, b'=') => Ext::ValueStart,
        (Ext::ValueStart, b' ' | b'\t') => Ext::ValueStart,
        (Ext::ValueStart, b'"') => Ext::Quoted,
        (Ext::ValueStart | Ext::Token, _) if is_token(b) => Ext::Token,
        // RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E /
        // obs-text; quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
        (Ext::Quoted, b'"') => Ext::QuotedEnd,
        (Ext::Quoted, b'\\') => Ext::QuotedPair,
        (Ext::Quoted, b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff) => Ext::Quoted,
        (Ext::QuotedPair, b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff) => Ext::Quoted,
        (Ext::Token | Ext::QuotedEnd | Ext::ValueBws, b' ' | b'\t') => Ext::ValueBws,
        (Ext::Name | Ext::NameBws | Ext::Token | Ext::QuotedEnd | Ext::ValueBws, b';') => {
            Ext::NameStart
        }
        // The end of the line, after a whole extension; RFC 9112 §7.1,
        // §2.2: CRLF only (LE-3, CH-7).
        (Ext::Name | Ext::Token | Ext::QuotedEnd, b'\r') => return Ok(None),
        (Ext::Name | Ext::Token | Ext::QuotedEnd, b'\n') => {
            return Err(ErrorKind::InvalidChunkLineEnding)
        }
        _ => return Err(ErrorKind::InvalidChunkExtension),
    };
    Ok(Some(next))
}

// ---------------------------------------------------------------------------
// Encoding (RFC 9112 §7.1, SR-5)
// ---------------------------------------------------------------------------

/// The hex digits of `n` (lower case, no leading zeros; `0` for zero) in
/// `buf`, and how many there are.
fn hex_digits(n: usize, buf: &mut [u8; 16]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let n = n as u64;
    let count = if n == 0 {
        1
    } else {
        (64 - n.leading_zeros() as usize).div_ceil(4)
    };
    for (k, slot) in buf.iter_mut().take(count).enumerate() {
        let shift = 4 * (count - 1 - k);
        *slot = HEX[((n >> shift) & 0xf) as usize];
    }
    count
}

/// Writes consecutive pieces into a buffer already checked to be big enough.
struct Out<'o> {
    out: &'o mut [u8],
    pos: usize,
}

impl Out<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }
}

/// Encodes one chunk, `hex-size CRLF data CRLF`, into `out` and returns the
/// number of bytes written.
///
/// Empty `data` writes nothing and returns `Ok(0)`: a zero-size chunk would
/// end the body (use [`encode_last_chunk`] for that). If `out` is too small,
/// nothing is written and [`EncodeError::BufferTooSmall`] gives the size
/// needed.
///
/// ```
/// let mut buf = [0u8; 32];
/// let n = httpwire::chunked::encode_chunk(b"hello, world", &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"c\r\nhello, world\r\n");
/// ```
pub fn encode_chunk(data: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
    if data.is_empty() {
        return Ok(0);
    }
    let mut hex = [0u8; 16];
    let digits = hex_digits(data.len(), &mut hex);
    let needed = digits.saturating_add(4).saturating_add(data.len());
    if out.len() < needed {
        return Err(EncodeError::BufferTooSmall { needed });
    }
    let mut w = Out { out, pos: 0 };
    w.put(hex.get(..digits).unwrap_or_default());
    w.put(b"\r\n");
    w.put(data);
    w.put(b"\r\n");
    Ok(needed)
}

/// Encodes only the size line of a chunk of `len` bytes, `hex-size CRLF`,
/// for callers that write the data themselves; they must follow the data
/// with `\r\n`.
///
/// A `len` of 0 writes nothing and returns `Ok(0)` (a zero-size chunk would
/// end the body); write neither data nor CRLF then. If `out` is too small,
/// nothing is written and [`EncodeError::BufferTooSmall`] gives the size
/// needed.
///
/// ```
/// let mut buf = [0u8; 18];
/// let n = httpwire::chunked::encode_chunk_header(4096, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"1000\r\n");
/// ```
pub fn encode_chunk_header(len: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
    if len == 0 {
        return Ok(0);
    }
    let mut hex = [0u8; 16];
    let digits = hex_digits(len, &mut hex);
    let needed = digits + 2;
    if out.len() < needed {
        return Err(EncodeError::BufferTooSmall { needed });
    }
    let mut w = Out { out, pos: 0 };
    w.put(hex.get(..digits).unwrap_or_default());
    w.put(b"\r\n");
    Ok(needed)
}

/// Encodes the end of a chunked body: the last-chunk `0\r\n`, each trailer
/// as `name: value\r\n`, and the final `\r\n`. Returns the bytes written.
///
/// Every trailer is validated first, as a head's fields are
/// ([`EncodeError::InvalidHeaderName`], [`EncodeError::InvalidHeaderValue`],
/// and [`EncodeError::ConflictingFraming`] for `Content-Length` or
/// `Transfer-Encoding`, which never belong in trailers: RFC 9110 §6.5.1),
/// then the size
/// ([`EncodeError::BufferTooSmall`]); on any error nothing is written.
///
/// ```
/// use httpwire::Header;
/// let mut buf = [0u8; 32];
/// let trailers = [Header { name: "X-Sum", value: b"42" }];
/// let n = httpwire::chunked::encode_last_chunk(&trailers, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"0\r\nX-Sum: 42\r\n\r\n");
/// ```
pub fn encode_last_chunk(trailers: &[Header<'_>], out: &mut [u8]) -> Result<usize, EncodeError> {
    // "0\r\n", the field lines, "\r\n".
    let needed = check_headers(trailers)?.saturating_add(5);
    if out.len() < needed {
        return Err(EncodeError::BufferTooSmall { needed });
    }
    let mut w = Out { out, pos: 0 };
    w.put(b"0\r\n");
    for h in trailers {
        w.put(h.name.as_bytes());
        w.put(b": ");
        w.put(h.value);
        w.put(b"\r\n");
    }
    w.put(b"\r\n");
    Ok(needed)
}

/// Writes one chunk of `data` to `w`. Empty `data` writes nothing (a
/// zero-size chunk would end the body).
#[cfg(feature = "std")]
pub fn write_chunk<W: std::io::Write>(w: &mut W, data: &[u8]) -> std::io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let mut head = [0u8; 18];
    let n = encode_chunk_header(data.len(), &mut head)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    w.write_all(head.get(..n).unwrap_or_default())?;
    w.write_all(data)?;
    w.write_all(b"\r\n")
}

/// Writes the last-chunk, the `trailers` and the final CRLF to `w`.
///
/// All trailers are validated before anything is written; an invalid one
/// gives an error of kind [`std::io::ErrorKind::InvalidInput`] wrapping the
/// [`EncodeError`].
#[cfg(feature = "std")]
pub fn write_last_chunk<W: std::io::Write>(
    w: &mut W,
    trailers: &[Header<'_>],
) -> std::io::Result<()> {
    check_headers(trailers)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    w.write_all(b"0\r\n")?;
    for h in trailers {
        w.write_all(h.name.as_bytes())?;
        w.write_all(b": ")?;
        w.write_all(h.value)?;
        w.write_all(b"\r\n")?;
    }
    w.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::string::{String, ToString};
    use std::vec;
    use std::vec::Vec;

    /// How a drive of the decoder ended.
    #[derive(Clone, Debug, PartialEq, Eq)]
    enum End {
        Done,
        NeedMore,
        Err(Error),
    }

    /// Everything the decoder handed out while driven over some pieces.
    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Outcome {
        data: Vec<u8>,
        trailers: Vec<(String, Vec<u8>)>,
        consumed: usize,
        end: End,
        /// Bytes not consumed (after Done: the next request).
        rest: Vec<u8>,
    }

    /// Drives `dec` the way a caller does: bytes arrive in `pieces`; the
    /// unconsumed rest is kept and presented again with the next piece.
    fn drive_with(dec: &mut ChunkedDecoder, pieces: &[&[u8]]) -> Outcome {
        let mut out = Outcome {
            data: Vec::new(),
            trailers: Vec::new(),
            consumed: 0,
            end: End::NeedMore,
            rest: Vec::new(),
        };
        let mut pending: Vec<u8> = Vec::new();
        let mut next = 0;
        'feed: while next < pieces.len() {
            pending.extend_from_slice(pieces[next]);
            next += 1;
            loop {
                let (n, event) = match dec.decode(&pending) {
                    Ok(r) => r,
                    Err(e) => {
                        out.end = End::Err(e);
                        break 'feed;
                    }
                };
                assert!(n <= pending.len(), "consumed {n} of {}", pending.len());
                out.consumed += n;
                let stop = match event {
                    Decoded::Data(d) => {
                        assert!(!d.is_empty(), "empty Data event");
                        out.data.extend_from_slice(d);
                        None
                    }
                    Decoded::Trailer(h) => {
                        out.trailers.push((h.name.to_string(), h.value.to_vec()));
                        None
                    }
                    Decoded::Done => Some(End::Done),
                    Decoded::NeedMore => Some(End::NeedMore),
                };
                pending.drain(..n);
                match stop {
                    Some(End::Done) => {
                        out.end = End::Done;
                        break 'feed;
                    }
                    Some(_) => break,
                    None => {}
                }
            }
        }
        out.rest = pending;
        for p in pieces.get(next..).unwrap_or_default() {
            out.rest.extend_from_slice(p);
        }
        out
    }

    fn drive(limits: &Limits, pieces: &[&[u8]]) -> Outcome {
        drive_with(&mut ChunkedDecoder::with_limits(limits), pieces)
    }

    fn whole(input: &[u8]) -> Outcome {
        drive(&Limits::DEFAULT, &[input])
    }

    /// `input` split at the (sorted, clamped) `points`.
    fn split<'a>(input: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
        let mut points: Vec<usize> = points.iter().map(|&p| p.min(input.len())).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for p in points {
            pieces.push(&input[from..p]);
            from = p;
        }
        pieces.push(&input[from..]);
        pieces
    }

    fn bytewise(input: &[u8]) -> Vec<&[u8]> {
        input.chunks(1).collect()
    }

    fn error_with(limits: &Limits, input: &[u8]) -> Error {
        match drive(limits, &[input]).end {
            End::Err(e) => e,
            other => panic!(
                "expected an error for {:?}, got {other:?}",
                String::from_utf8_lossy(input)
            ),
        }
    }

    fn kind(input: &[u8]) -> ErrorKind {
        let k = error_with(&Limits::DEFAULT, input).kind();
        // The same error whatever the split.
        let by_byte = drive(&Limits::DEFAULT, &bytewise(input));
        assert_eq!(by_byte.end, End::Err(error_with(&Limits::DEFAULT, input)));
        k
    }

    fn body_of(input: &[u8]) -> Vec<u8> {
        let out = whole(input);
        assert_eq!(out.end, End::Done, "{:?}", String::from_utf8_lossy(input));
        out.data
    }

    fn trailer(name: &str, value: &[u8]) -> (String, Vec<u8>) {
        (name.to_string(), value.to_vec())
    }

    // --- CH-1: grammar, sizes, last-chunk, opaque data -------------------

    #[test]
    fn simple_body() {
        let out = whole(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assert_eq!(out.end, End::Done);
        assert_eq!(out.data, b"hello world");
        assert_eq!(out.consumed, 26);
        assert!(out.rest.is_empty());
    }

    #[test]
    fn hex_sizes_in_either_case_with_leading_zeros() {
        assert_eq!(body_of(b"a\r\n0123456789\r\n0\r\n\r\n"), b"0123456789");
        assert_eq!(body_of(b"A\r\n0123456789\r\n0\r\n\r\n"), b"0123456789");
        assert_eq!(body_of(b"000A\r\n0123456789\r\n0\r\n\r\n"), b"0123456789");
        assert_eq!(
            body_of(b"1F\r\n0123456789012345678901234567890\r\n0\r\n\r\n").len(),
            31
        );
        // 20 digits, but only one significant: leading zeros are fine.
        assert_eq!(
            body_of(b"00000000000000000005\r\nhello\r\n0\r\n\r\n"),
            b"hello"
        );
        assert_eq!(whole(b"0000000000000000000000000\r\n\r\n").end, End::Done);
    }

    #[test]
    fn last_chunk_is_one_or_more_zeros() {
        assert_eq!(whole(b"0\r\n\r\n").end, End::Done);
        assert_eq!(whole(b"000\r\n\r\n").end, End::Done);
        assert_eq!(whole(b"0;ext=1\r\n\r\n").end, End::Done);
    }

    #[test]
    fn chunk_data_is_opaque() {
        let input = b"9\r\n0\r\n\r\nabcd\r\n0\r\n\r\n";
        let out = whole(input);
        assert_eq!(out.end, End::Done);
        assert_eq!(out.data, b"0\r\n\r\nabcd");
        assert_eq!(out.consumed, input.len());
    }

    #[test]
    fn body_len_counts_data_handed_out() {
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(b"5\r\nhel").unwrap(), (6, Decoded::Data(b"hel")));
        assert_eq!(dec.body_len(), 3);
        assert_eq!(
            dec.decode(b"lo\r\n0\r\n").unwrap(),
            (2, Decoded::Data(b"lo"))
        );
        assert_eq!(dec.body_len(), 5);
        assert!(!dec.is_done());
        assert_eq!(dec.decode(b"\r\n0\r\n").unwrap(), (5, Decoded::NeedMore));
        assert_eq!(dec.decode(b"\r\n").unwrap(), (2, Decoded::Done));
        assert!(dec.is_done());
        assert_eq!(dec.body_len(), 5);
    }

    #[test]
    fn empty_input_needs_more() {
        let mut dec = ChunkedDecoder::default();
        assert_eq!(dec.decode(b"").unwrap(), (0, Decoded::NeedMore));
        assert_eq!(dec.decode(b"5").unwrap(), (1, Decoded::NeedMore));
        assert_eq!(dec.decode(b"\r\n").unwrap(), (2, Decoded::NeedMore));
        assert_eq!(dec.decode(b"").unwrap(), (0, Decoded::NeedMore));
    }

    // --- CH-2, CH-3: extensions and BWS -----------------------------------

    #[test]
    fn extensions_are_accepted_and_ignored() {
        for line in [
            &b"5;a"[..],
            b"5;a=b",
            b"5;a=b;c=d;e",
            b"5;name=\"quoted value\"",
            b"5;q=\"with \\\"escapes\\\" and \\\\ \\\t\"",
            b"5;q=\"\"",
            b"5;q=\"obs \x80\xff text\"",
            b"5;q=\"\\\xff\"",
            b"5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~",
        ] {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
            assert_eq!(
                body_of(&input),
                b"hello",
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn bws_around_semicolon_and_equals() {
        // RFC 9112 §7.1.1: BWS around ";" and "=" MUST be accepted (CH-3).
        for line in [
            &b"5 ; a = b"[..],
            b"5;a=b",
            b"5 ;a",
            b"5; a",
            b"5\t;\ta\t=\t\"x\"",
            b"5  ;  a  =  b  ;  c",
            b"5;a ;b",
            b"5;a=\"x\" ;b",
            b"0 ; last = \"yes\"",
        ] {
            let mut input = line.to_vec();
            if line[0] == b'0' {
                input.extend_from_slice(b"\r\n\r\n");
                assert_eq!(whole(&input).end, End::Done);
            } else {
                input.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
                assert_eq!(
                    body_of(&input),
                    b"hello",
                    "{:?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }

    // --- CH-4, SM-5: overflow -----------------------------------------------

    #[test]
    fn chunk_size_overflow() {
        // 2^64 + 5 must not wrap to 5.
        assert_eq!(
            kind(b"10000000000000005\r\nhello\r\n0\r\n\r\n"),
            ErrorKind::ChunkSizeOverflow
        );
        assert_eq!(
            kind(b"FFFFFFFFFFFFFFFFFFFF\r\n"),
            ErrorKind::ChunkSizeOverflow
        );
        assert_eq!(kind(b"10000000000000000\r\n"), ErrorKind::ChunkSizeOverflow);
        // 16 digits fit a u64; the body limit then refuses them.
        assert_eq!(kind(b"FFFFFFFFFFFFFFFF\r\n"), ErrorKind::BodyTooLarge);
        let e = error_with(&Limits::DEFAULT, b"10000000000000005\r\n");
        assert_eq!(e.offset(), 16);
    }

    #[test]
    fn leading_zeros_count_toward_the_line_limit_only() {
        // RFC 9112 §7.1 allows any number of leading zeros (CH-1): 21 digits
        // with one significant, or 16 significant after 30 zeros.
        assert_eq!(
            body_of(b"000000000000000000005\r\nhello\r\n0\r\n\r\n"),
            b"hello"
        );
        let limits = Limits {
            max_body: u64::MAX,
            ..Limits::DEFAULT
        };
        let mut wide = [b'0'; 48];
        wide[30..46].copy_from_slice(b"ffffffffffffffff");
        wide[46..].copy_from_slice(b"\r\n");
        let mut dec = ChunkedDecoder::with_limits(&limits);
        assert_eq!(dec.decode(&wide), Ok((48, Decoded::NeedMore)));
        assert_eq!(dec.size, u64::MAX);
        // Overflow is the 17th significant digit, wherever it is.
        let e = error_with(&limits, b"0000010000000000000000\r\n");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::ChunkSizeOverflow, 21));
        // An endless line of zeros is refused once it passes the line
        // limit, whole or byte by byte.
        let short = Limits {
            max_chunk_line: 20,
            ..Limits::DEFAULT
        };
        let at_limit = b"00000000000000000005\r\nhello\r\n0\r\n\r\n";
        assert_eq!(drive(&short, &[at_limit]).end, End::Done);
        assert_eq!(drive(&short, &bytewise(at_limit)).end, End::Done);
        let over = b"000000000000000000005\r\nhello\r\n0\r\n\r\n";
        let e = error_with(&short, over);
        assert_eq!((e.kind(), e.offset()), (ErrorKind::ChunkLineTooLong, 20));
        assert_eq!(drive(&short, &bytewise(over)).end, End::Err(e));
        let zeros = [b'0'; 10_000];
        let e = error_with(&Limits::DEFAULT, &zeros);
        assert_eq!((e.kind(), e.offset()), (ErrorKind::ChunkLineTooLong, 8192));
        // The line limit counts the extensions too, and each line anew.
        let e = error_with(&short, b"5;a=bbbbbbbbbbbbbbbbbb\r\n");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::ChunkLineTooLong, 20));
        let two = b"000000000000000001;a\r\nx\r\n000000000000000001;b\r\ny\r\n0\r\n\r\n";
        assert_eq!(body_of(two), b"xy");
        assert_eq!(drive(&short, &[two]).end, End::Done);
    }

    // --- CH-5, SM-5: chunk-size is HEXDIG only ------------------------------

    #[test]
    fn invalid_chunk_sizes() {
        for input in [
            &b"-5\r\nhello\r\n0\r\n\r\n"[..],
            b"+5\r\nhello\r\n0\r\n\r\n",
            b"0x5\r\nhello\r\n0\r\n\r\n",
            b"0_2e\r\n",
            b"5_0\r\n",
            b" 5\r\nhello\r\n0\r\n\r\n",
            b"\t5\r\n",
            b"5 \r\nhello\r\n0\r\n\r\n",
            b"5\t\r\nhello\r\n0\r\n\r\n",
            b"5 x\r\n",
            b"\r\nhello\r\n",
            b";a\r\nhello\r\n",
            b"g\r\n",
            b"5g\r\n",
            b"5.0\r\n",
            b"\xef\xbc\x95\r\n",
            b"5\r\nhello\r\n\r\n0\r\n\r\n",
        ] {
            assert_eq!(
                kind(input),
                ErrorKind::InvalidChunkSize,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        // An empty size line is a bare line end here, still an invalid size.
        assert_eq!(kind(b"\n"), ErrorKind::InvalidChunkSize);
    }

    // --- CH-6: CRLF after data ----------------------------------------------

    #[test]
    fn chunk_data_must_end_in_crlf() {
        for input in [
            &b"5\r\nhelloX\r\n0\r\n\r\n"[..],
            b"3\r\nhello\r\n0\r\n\r\n",
            b"5\r\nhello\n0\r\n\r\n",
            b"5\r\nhello\rX0\r\n\r\n",
            b"5\r\nhello\r\r\n",
            b"5\r\nhello0\r\n\r\n",
        ] {
            assert_eq!(
                kind(input),
                ErrorKind::MissingChunkDataCrlf,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(error_with(&Limits::DEFAULT, b"3\r\nhello\r\n").offset(), 6);
    }

    // --- CH-7, LE-3, SM-8: chunk lines end in CRLF only ---------------------

    #[test]
    fn chunk_lines_end_in_crlf_only() {
        for input in [
            &b"5\nhello\r\n0\r\n\r\n"[..],
            b"5\rhello\r\n0\r\n\r\n",
            b"2\r\r;a\r\nxx\r\n0\r\n\r\n",
            b"5;a\nhello\r\n",
            b"5;a=b\nhello\r\n",
            b"5;a=\"b\"\nhello\r\n",
            b"5;a\rhello\r\n",
            b"0\n\r\n",
            b"5\r\nhello\r\n0\r\n\n",
            b"5\r\nhello\r\n0\r\nX: y\n\r\n",
            b"0\r\nX: y\r\n\n",
        ] {
            assert_eq!(
                kind(input),
                ErrorKind::InvalidChunkLineEnding,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(error_with(&Limits::DEFAULT, b"2\r\r;a").offset(), 2);
    }

    // --- CH-8: malformed extensions -----------------------------------------

    #[test]
    fn invalid_extensions() {
        for line in [
            &b"5;"[..],
            b"5; ",
            b"5;;a",
            b"5;=b",
            b"5;a=",
            b"5;a= ",
            b"5;a==b",
            b"5;a=b c",
            b"5;a b",
            b"5;a ",
            b"5;a=b ",
            b"5;a=\"x\" ",
            b"5;a@b",
            b"5;a=b@c",
            b"5;a=\"unterminated",
            b"5;a=\"x\"y",
            b"5;a=\"x\"\"y\"",
            b"5;a=\"\x01\"",
            b"5;a=\"\x7f\"",
            b"5;a=\"\\\x01\"",
            b"5;a=\x7f",
            b"5;a\x00",
            b"5;a=b\x00",
            b"5;\xff",
            b"5;a=\"x\r\"",
            b"5;a=\"x\n\"",
        ] {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
            assert_eq!(
                kind(&input),
                ErrorKind::InvalidChunkExtension,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn extension_length_limit() {
        let limits = Limits {
            max_chunk_extension: 8,
            ..Limits::DEFAULT
        };
        // Exactly 8 bytes of extension (";abc=def") pass, on every chunk.
        let ok = b"5;abc=def\r\nhello\r\n5;abc=def\r\nhello\r\n0;abc=def\r\n\r\n";
        assert_eq!(drive(&limits, &[ok]).end, End::Done);
        let bad = b"5;abc=defg\r\nhello\r\n0\r\n\r\n";
        let e = error_with(&limits, bad);
        assert_eq!(e.kind(), ErrorKind::ChunkExtensionTooLong);
        assert_eq!(e.offset(), 9);
        // BWS counts too.
        let e = error_with(&limits, b"5        ;a\r\n");
        assert_eq!(e.kind(), ErrorKind::ChunkExtensionTooLong);
        // An endless extension is refused without waiting for its end.
        let mut dec = ChunkedDecoder::with_limits(&limits);
        assert_eq!(dec.decode(b"5;aaaaaaa").unwrap(), (9, Decoded::NeedMore));
        assert_eq!(
            dec.decode(b"a").unwrap_err().kind(),
            ErrorKind::ChunkExtensionTooLong
        );
    }

    // --- CH-9, TR-1, TR-2, TR-3: trailers -----------------------------------

    #[test]
    fn trailers_are_handed_out() {
        let input = b"5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Empty:\r\nX-Req: GET / HTTP/1.1\r\n\r\n";
        let out = whole(input);
        assert_eq!(out.end, End::Done);
        assert_eq!(
            out.trailers,
            vec![
                trailer("X-Sum", b"abc"),
                trailer("X-Empty", b""),
                trailer("X-Req", b"GET / HTTP/1.1")
            ]
        );
        assert_eq!(out.consumed, input.len());
    }

    #[test]
    fn framing_trailers_do_not_change_framing() {
        // TR-3: handed out like any field; the body still ends at the CRLF.
        let input = b"5\r\nhello\r\n0\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\
                      Host: evil\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
        let out = whole(input);
        assert_eq!(out.end, End::Done);
        assert_eq!(out.data, b"hello");
        assert_eq!(out.trailers.len(), 3);
        assert_eq!(out.rest, b"GET /next HTTP/1.1\r\n\r\n");
    }

    #[test]
    fn trailer_lines_are_field_lines() {
        let t = |line: &[u8]| {
            let mut input = b"0\r\n".to_vec();
            input.extend_from_slice(line);
            input.extend_from_slice(b"\r\n\r\n");
            kind(&input)
        };
        assert_eq!(t(b"X: a\r\n folded"), ErrorKind::ObsFold);
        assert_eq!(t(b" X: a"), ErrorKind::ObsFold);
        assert_eq!(t(b"\tfolded"), ErrorKind::ObsFold);
        assert_eq!(t(b"NoColon"), ErrorKind::MissingColon);
        assert_eq!(t(b"Content-Length 10"), ErrorKind::MissingColon);
        assert_eq!(t(b"X : a"), ErrorKind::WhitespaceBeforeColon);
        assert_eq!(t(b"Host\t: x"), ErrorKind::WhitespaceBeforeColon);
        assert_eq!(t(b": a"), ErrorKind::EmptyHeaderName);
        assert_eq!(t(b"X: a\x00b"), ErrorKind::InvalidHeaderValue);
        assert_eq!(t(b"X: a\x01b"), ErrorKind::InvalidHeaderValue);
        assert_eq!(t(b"X: a\x0bb"), ErrorKind::InvalidHeaderValue);
        assert_eq!(t(b"X: a\x7fb"), ErrorKind::InvalidHeaderValue);
        assert_eq!(t(b"X: a\rb"), ErrorKind::BareCr);
        assert_eq!(t(b"X\r: a"), ErrorKind::BareCr);
        assert_eq!(t(b"B@d: a"), ErrorKind::InvalidHeaderName);
        // "Bad Name: x": the space is inside the name.
        assert_eq!(t(b"Bad Name: x"), ErrorKind::InvalidHeaderName);
        assert_eq!(t(b"Content-Length\xa0: 1"), ErrorKind::InvalidHeaderName);
        // CH-9: a request-line where a trailer belongs.
        assert_eq!(t(b"GET / HTTP/1.1"), ErrorKind::MissingColon);
        let e = error_with(&Limits::DEFAULT, b"0\r\nX: ok\r\nY: a\x00\r\n\r\n");
        assert_eq!(e.offset(), 3 + 7 + 4);
        // The offset of the byte that decides, whole or split.
        for (line, at) in [
            (&b"X-A: ok\x01"[..], 7),
            (b"Host : x", 4),
            (b"Bad Name: x", 3),
            (b"Content-Length 10", 14),
            (b"X: 1\n", 4),
        ] {
            let mut input = b"0\r\n".to_vec();
            input.extend_from_slice(line);
            input.extend_from_slice(b"\r\n\r\n");
            let whole = error_with(&Limits::DEFAULT, &input);
            assert_eq!(whole.offset(), 3 + at, "{line:?}");
            for cut in 0..input.len() {
                let out = drive(&Limits::DEFAULT, &split(&input, &[cut]));
                assert_eq!(out.end, End::Err(whole), "{line:?} split at {cut}");
            }
        }
    }

    #[test]
    fn field_then_bare_lf_hands_the_field_out_first() {
        // The loop stops at the bare LF that starts the next line: the
        // field comes first, then the LF's error, whole or bytewise.
        let input = b"0\r\nX: 1\r\n\nY: 2\r\n\r\n";
        let error = Error::new(ErrorKind::InvalidChunkLineEnding, 3 + 6);
        for out in [whole(input), drive(&Limits::DEFAULT, &bytewise(input))] {
            assert_eq!(out.trailers, vec![trailer("X", b"1")]);
            assert_eq!((out.consumed, out.end), (3 + 6, End::Err(error)));
        }
    }

    #[test]
    fn trailer_values_are_trimmed_and_may_hold_obs_text() {
        let input = b"0\r\nHost: \t example.com \t\r\nX-Empty:\r\n\
                      X-Utf8: caf\xc3\xa9, \"a:b\"\r\n\r\n";
        let expected = vec![
            trailer("Host", b"example.com"),
            trailer("X-Empty", b""),
            trailer("X-Utf8", b"caf\xc3\xa9, \"a:b\""),
        ];
        assert_eq!(whole(input).trailers, expected);
        let by_byte = drive(&Limits::DEFAULT, &bytewise(input));
        assert_eq!((by_byte.trailers, by_byte.end), (expected, End::Done));
    }

    #[test]
    fn trailer_section_limits() {
        let limits = Limits {
            max_trailers: 22,
            max_headers: 2,
            max_header_line: 12,
            ..Limits::DEFAULT
        };
        // Two lines of 11 bytes each (with CRLF): exactly at every limit.
        let ok = b"0\r\nA: 123456\r\nB: 123456\r\n\r\n";
        assert_eq!(drive(&limits, &[ok]).end, End::Done);
        assert_eq!(drive(&limits, &bytewise(ok)).end, End::Done);
        // One byte more in total.
        let over = b"0\r\nA: 123456\r\nB: 1234567\r\n\r\n";
        let e = error_with(&limits, over);
        assert_eq!(e.kind(), ErrorKind::TrailersTooLarge);
        // At the first byte that leaves no room for the CRLF, however split.
        assert_eq!(e.offset(), 3 + 11 + 9);
        assert_eq!(drive(&limits, &bytewise(over)).end, End::Err(e));
        // No room at all after the first line: its first byte; the empty
        // line that ends the section still fits.
        let full = Limits {
            max_trailers: 11,
            ..limits
        };
        let e = error_with(&full, b"0\r\nA: 123456\r\nB: 1\r\n\r\n");
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::TrailersTooLarge, 3 + 11)
        );
        let ok = b"0\r\nA: 123456\r\n\r\n";
        assert_eq!(drive(&full, &bytewise(ok)).end, End::Done);
        // A third line.
        let limits3 = Limits {
            max_trailers: 1000,
            ..limits
        };
        let e = error_with(&limits3, b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        assert_eq!(e.kind(), ErrorKind::TooManyHeaders);
        // One line longer than 12 bytes without its CRLF.
        assert_eq!(
            drive(&limits3, &[b"0\r\nA: 123456789\r\n\r\n"]).end,
            End::Done
        );
        let e = error_with(&limits3, b"0\r\nA: 1234567890\r\n\r\n");
        assert_eq!(e.kind(), ErrorKind::HeaderLineTooLong);
        assert_eq!(e.offset(), 3 + 12);
        // A line that never ends is refused once it cannot fit.
        let mut dec = ChunkedDecoder::with_limits(&limits3);
        assert_eq!(
            dec.decode(b"0\r\nA: 123456789").unwrap(),
            (3, Decoded::NeedMore)
        );
        assert_eq!(
            dec.decode(b"A: 123456789\r").unwrap(),
            (0, Decoded::NeedMore)
        );
        let e = dec.decode(b"A: 1234567890").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::HeaderLineTooLong);
    }

    #[test]
    fn trailer_limits_with_defaults() {
        let mut many = b"0\r\n".to_vec();
        for _ in 0..101 {
            many.extend_from_slice(b"X: y\r\n");
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(kind(&many), ErrorKind::TooManyHeaders);
        let mut long = b"0\r\nX: ".to_vec();
        long.resize(long.len() + 9000, b'a');
        long.extend_from_slice(b"\r\n\r\n");
        assert_eq!(kind(&long), ErrorKind::HeaderLineTooLong);
    }

    #[test]
    fn partial_trailer_line_is_not_consumed_nor_rescanned() {
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(b"0\r\nX-A: 1").unwrap(), (3, Decoded::NeedMore));
        assert_eq!((dec.state, dec.trailer.decided()), (State::Trailer, 6));
        assert_eq!(dec.decode(b"X-A: 12").unwrap(), (0, Decoded::NeedMore));
        assert_eq!((dec.state, dec.trailer.decided()), (State::Trailer, 7));
        let (n, event) = dec.decode(b"X-A: 12\r\nX-B").unwrap();
        assert_eq!(
            (n, event),
            (
                9,
                Decoded::Trailer(Header {
                    name: "X-A",
                    value: b"12"
                })
            )
        );
        assert_eq!((dec.state, dec.trailer.decided()), (State::Trailer, 0));
        assert_eq!(dec.decode(b"X-B").unwrap(), (0, Decoded::NeedMore));
        assert_eq!(dec.decode(b"X-B: 2\r\n\r").unwrap().0, 8);
        assert_eq!(dec.decode(b"\r").unwrap(), (0, Decoded::NeedMore));
        assert_eq!(dec.decode(b"\r\nNEXT").unwrap(), (2, Decoded::Done));
    }

    // --- CH-10: the body ends at the final CRLF ------------------------------

    #[test]
    fn never_consumes_past_the_body() {
        let input = b"3\r\nabc\r\n0\r\n\r\nPOST / HTTP/1.1\r\n";
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(input).unwrap(), (6, Decoded::Data(b"abc")));
        assert_eq!(dec.decode(&input[6..]).unwrap(), (7, Decoded::Done));
        assert_eq!(&input[13..], b"POST / HTTP/1.1\r\n");
        // Done is sticky and consumes nothing.
        assert_eq!(dec.decode(&input[13..]).unwrap(), (0, Decoded::Done));
        assert!(dec.is_done());
    }

    // --- LM-6: body limit before the data is read ---------------------------

    #[test]
    fn body_too_large_before_data() {
        let limits = Limits {
            max_body: 10,
            ..Limits::DEFAULT
        };
        let mut dec = ChunkedDecoder::with_limits(&limits);
        let e = dec.decode(b"b\r\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BodyTooLarge);
        assert_eq!(e.offset(), 2);
        // The sum of sizes counts.
        let e = error_with(&limits, b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
        assert_eq!(e.kind(), ErrorKind::BodyTooLarge);
        assert_eq!(e.offset(), 13);
        assert_eq!(
            drive(&limits, &[b"6\r\nhello \r\n4\r\nworl\r\n0\r\n\r\n"]).end,
            End::Done
        );
        // 1 TiB declared: refused at once.
        assert_eq!(kind(b"10000000000\r\n"), ErrorKind::BodyTooLarge);
    }

    // --- offsets and poisoning -------------------------------------------------

    #[test]
    fn offsets_count_from_the_first_byte_fed() {
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(b"5\r\nhe").unwrap(), (5, Decoded::Data(b"he")));
        assert_eq!(dec.decode(b"llo").unwrap(), (3, Decoded::Data(b"llo")));
        assert_eq!(dec.decode(b"\r\n1").unwrap(), (3, Decoded::NeedMore));
        let e = dec.decode(b"z\r\n").unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidChunkSize, 11));
        // The error is returned again, with nothing consumed.
        assert_eq!(dec.decode(b"\r\n0\r\n\r\n").unwrap_err(), e);
        assert!(!dec.is_done());
    }

    // --- feeding in pieces -----------------------------------------------------

    fn sample() -> Vec<u8> {
        let mut v = b"4;name=value\r\nWiki\r\n5 ; a = b ; q=\"x\\\"y\"\r\npedia\r\n\
            E\r\n in\r\n\r\nchunks.\r\n10\r\n0\r\n\r\n0123456789a\r\n"
            .to_vec();
        v.extend_from_slice(
            b"0;last\r\nX-Checksum: abc\r\nContent-Length: 99\r\nX-Empty:  \r\n\r\n",
        );
        v.extend_from_slice(b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        v
    }

    #[test]
    fn sample_whole() {
        let input = sample();
        let out = whole(&input);
        assert_eq!(out.end, End::Done);
        assert_eq!(out.data, b"Wikipedia in\r\n\r\nchunks.0\r\n\r\n0123456789a");
        assert_eq!(
            out.trailers,
            vec![
                trailer("X-Checksum", b"abc"),
                trailer("Content-Length", b"99"),
                trailer("X-Empty", b"")
            ]
        );
        assert_eq!(out.rest, b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(out.consumed + out.rest.len(), input.len());
    }

    #[test]
    fn sample_byte_by_byte_and_in_random_splits() {
        let input = sample();
        let expected = whole(&input);
        assert_eq!(drive(&Limits::DEFAULT, &bytewise(&input)), expected);
        // Every single split point.
        for p in 0..=input.len() {
            assert_eq!(
                drive(&Limits::DEFAULT, &split(&input, &[p])),
                expected,
                "split at {p}"
            );
        }
        // Pseudo-random multi-way splits.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..500 {
            let mut points = Vec::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                points.push((seed >> 33) as usize % (input.len() + 1));
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            assert_eq!(
                drive(&Limits::DEFAULT, &split(&input, &points)),
                expected,
                "{points:?}"
            );
        }
    }

    // --- encoder ---------------------------------------------------------------

    #[test]
    fn encodes_chunks() {
        let mut buf = [0u8; 64];
        let n = encode_chunk(b"hello", &mut buf).unwrap();
        assert_eq!(&buf[..n], b"5\r\nhello\r\n");
        let data = [b'x'; 300];
        let mut big = [0u8; 400];
        let n = encode_chunk(&data, &mut big).unwrap();
        assert_eq!(&big[..5], b"12c\r\n");
        assert_eq!(n, 5 + 300 + 2);
        assert_eq!(&big[n - 2..n], b"\r\n");
        // Empty data: nothing written.
        let mut untouched = [7u8; 8];
        assert_eq!(encode_chunk(b"", &mut untouched), Ok(0));
        assert_eq!(untouched, [7u8; 8]);
    }

    #[test]
    fn encodes_chunk_headers() {
        let mut buf = [0u8; 18];
        for (len, text) in [
            (1usize, &b"1\r\n"[..]),
            (15, b"f\r\n"),
            (16, b"10\r\n"),
            (0xabcdef, b"abcdef\r\n"),
            (usize::MAX, b"ffffffffffffffff\r\n"),
        ] {
            let n = encode_chunk_header(len, &mut buf).unwrap();
            assert_eq!(&buf[..n], text);
        }
        assert_eq!(encode_chunk_header(0, &mut buf), Ok(0));
        assert_eq!(
            encode_chunk_header(0x100, &mut buf[..4]),
            Err(EncodeError::BufferTooSmall { needed: 5 })
        );
    }

    #[test]
    fn encodes_last_chunk_with_trailers() {
        let mut buf = [0u8; 64];
        assert_eq!(encode_last_chunk(&[], &mut buf), Ok(5));
        assert_eq!(&buf[..5], b"0\r\n\r\n");
        let trailers = [
            Header {
                name: "X-Sum",
                value: b"42",
            },
            Header {
                name: "X-Utf8",
                value: b"caf\xc3\xa9 \t x",
            },
            Header {
                name: "X-Empty",
                value: b"",
            },
        ];
        let n = encode_last_chunk(&trailers, &mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            &b"0\r\nX-Sum: 42\r\nX-Utf8: caf\xc3\xa9 \t x\r\nX-Empty: \r\n\r\n"[..]
        );
        let out = whole(&buf[..n]);
        assert_eq!(out.end, End::Done);
        assert_eq!(out.trailers[1], trailer("X-Utf8", b"caf\xc3\xa9 \t x"));
    }

    #[test]
    fn encoder_refuses_invalid_trailers() {
        let mut buf = [9u8; 64];
        for name in ["", "Bad Name", "Bad:Name", "X\r\nY", "caf\u{e9}"] {
            let h = [Header { name, value: b"v" }];
            assert_eq!(
                encode_last_chunk(&h, &mut buf),
                Err(EncodeError::InvalidHeaderName),
                "{name:?}"
            );
        }
        for value in [
            &b"a\r\nEvil: 1"[..],
            b"a\rb",
            b"a\nb",
            b"a\x00b",
            b"a\x7fb",
            b"\x01",
        ] {
            let h = [Header { name: "X", value }];
            assert_eq!(
                encode_last_chunk(&h, &mut buf),
                Err(EncodeError::InvalidHeaderValue)
            );
        }
        // Nothing was written.
        assert_eq!(buf, [9u8; 64]);
        // Validation comes before the size check.
        let h = [Header {
            name: "X",
            value: b"\n",
        }];
        assert_eq!(
            encode_last_chunk(&h, &mut []),
            Err(EncodeError::InvalidHeaderValue)
        );
    }

    #[test]
    fn encoder_reports_the_size_needed() {
        let mut small = [0u8; 4];
        assert_eq!(
            encode_chunk(b"hello", &mut small),
            Err(EncodeError::BufferTooSmall { needed: 10 })
        );
        assert_eq!(small, [0u8; 4]);
        let h = [Header {
            name: "X-Sum",
            value: b"42",
        }];
        assert_eq!(
            encode_last_chunk(&h, &mut small),
            Err(EncodeError::BufferTooSmall { needed: 16 })
        );
        assert_eq!(
            encode_last_chunk(&[], &mut small),
            Err(EncodeError::BufferTooSmall { needed: 5 })
        );
        let mut exact = [0u8; 10];
        assert_eq!(encode_chunk(b"hello", &mut exact), Ok(10));
    }

    #[test]
    fn io_writers() {
        let mut out: Vec<u8> = Vec::new();
        write_chunk(&mut out, b"hello").unwrap();
        write_chunk(&mut out, b"").unwrap();
        write_chunk(&mut out, &[b'z'; 17]).unwrap();
        write_last_chunk(
            &mut out,
            &[Header {
                name: "X-A",
                value: b"1",
            }],
        )
        .unwrap();
        let mut expected = b"5\r\nhello\r\n11\r\n".to_vec();
        expected.extend_from_slice(&[b'z'; 17]);
        expected.extend_from_slice(b"\r\n0\r\nX-A: 1\r\n\r\n");
        assert_eq!(out, expected);
        let mut out: Vec<u8> = Vec::new();
        let bad = [
            Header {
                name: "X-A",
                value: b"1",
            },
            Header {
                name: "X-B",
                value: b"\r\n",
            },
        ];
        let e = write_last_chunk(&mut out, &bad).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
    }

    #[test]
    fn framing_fields_are_never_written_as_trailers() {
        let mut buf = [0u8; 64];
        for name in ["Content-Length", "transfer-encoding"] {
            let trailer = [Header { name, value: b"0" }];
            assert_eq!(
                encode_last_chunk(&trailer, &mut buf),
                Err(EncodeError::ConflictingFraming),
                "{name}"
            );
        }
        let fine = [Header {
            name: "Content-Type",
            value: b"text/plain",
        }];
        assert!(encode_last_chunk(&fine, &mut buf).is_ok());
    }

    // --- properties ---------------------------------------------------------------

    fn token_name() -> impl Strategy<Value = String> {
        let tchar: Vec<u8> = (0u8..=255).filter(|&b| is_token(b)).collect();
        proptest::collection::vec(proptest::sample::select(tchar), 1..12)
            .prop_map(|v| v.into_iter().map(char::from).collect())
    }

    fn field_value() -> impl Strategy<Value = Vec<u8>> {
        let vbytes: Vec<u8> = (0u8..=255)
            .filter(|&b| crate::chars::FIELD_VALUE[usize::from(b)])
            .collect();
        proptest::collection::vec(proptest::sample::select(vbytes), 0..24)
            .prop_map(|v| crate::chars::trim_ows(&v).to_vec())
    }

    /// Pieces of chunked syntax and noise, to reach deep states often.
    fn fragment() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..4),
            proptest::sample::select(vec![
                &b"5\r\n"[..],
                b"hello",
                b"\r\n",
                b"0\r\n",
                b"0\r\n\r\n",
                b"X-A: b\r\n",
                b"3;a=\"q\\\"\"\r\nabc\r\n",
                b" ; x = y",
                b";a",
                b"=",
                b"\"",
                b"\\",
                b"\r",
                b"\n",
                b" ",
                b"\t",
                b"ffffffff",
                b"A",
                b":",
            ])
            .prop_map(|s| s.to_vec()),
        ]
    }

    /// Mostly well-formed chunks (sizes in either case, with leading zeros,
    /// up to 17 significant digits, with and without data), and the other
    /// fragments.
    fn chunk_fragment() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => (1usize..40, any::<bool>(), prop_oneof![0usize..3, 0usize..40]).prop_map(|(n, upper, zeros)| {
                let mut v = "0".repeat(zeros).into_bytes();
                let hex = if upper { std::format!("{n:X}") } else { std::format!("{n:x}") };
                v.extend_from_slice(hex.as_bytes());
                v.extend_from_slice(b"\r\n");
                v.extend(core::iter::repeat(b'd').take(n));
                v.extend_from_slice(b"\r\n");
                v
            }),
            1 => proptest::sample::select(vec![
                &b"00000000000000001\r\nx\r\n"[..],
                b"0000000000000001\r\nx\r\n",
                b"000000000000000000001\r\nx\r\n",
                b"ffffffffffffffff\r\n",
                b"0ffffffffffffffff\r\n",
                b"10000000000000000\r\n",
                b"00000",
            ])
            .prop_map(|s| s.to_vec()),
            2 => fragment(),
        ]
    }

    fn small_limits() -> impl Strategy<Value = Limits> {
        (
            0usize..40,
            0usize..4,
            0usize..20,
            0usize..40,
            0usize..30,
            0u64..100,
        )
            .prop_map(|(t, h, l, c, e, b)| Limits {
                max_trailers: t,
                max_headers: h,
                max_header_line: l,
                max_chunk_line: c,
                max_chunk_extension: e,
                max_body: b,
                ..Limits::DEFAULT
            })
    }

    proptest! {
        // 512 cases unless PROPTEST_CASES says otherwise.
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
        ))]

        #[test]
        fn encode_then_decode_round_trips(
            body in proptest::collection::vec(any::<u8>(), 0..2000),
            sizes in proptest::collection::vec(1usize..300, 1..20),
            header_only in proptest::collection::vec(any::<bool>(), 1..20),
            trailers in proptest::collection::vec((token_name(), field_value()), 0..6),
            points in proptest::collection::vec(any::<usize>(), 0..16),
        ) {
            let mut wire = Vec::new();
            let mut rest = &body[..];
            let mut k = 0;
            while !rest.is_empty() {
                let n = sizes[k % sizes.len()].min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                if header_only[k % header_only.len()] {
                    let mut head = [0u8; 18];
                    let h = encode_chunk_header(chunk.len(), &mut head).unwrap();
                    wire.extend_from_slice(&head[..h]);
                    wire.extend_from_slice(chunk);
                    wire.extend_from_slice(b"\r\n");
                } else {
                    let needed = match encode_chunk(chunk, &mut []) {
                        Err(EncodeError::BufferTooSmall { needed }) => needed,
                        other => panic!("{other:?}"),
                    };
                    let mut buf = vec![0u8; needed];
                    prop_assert_eq!(encode_chunk(chunk, &mut buf), Ok(needed));
                    wire.extend_from_slice(&buf);
                }
                rest = tail;
                k += 1;
            }
            let headers: Vec<Header<'_>> =
                trailers.iter().map(|(n, v)| Header { name: n, value: v }).collect();
            let needed = match encode_last_chunk(&headers, &mut []) {
                Err(EncodeError::BufferTooSmall { needed }) => needed,
                other => panic!("{other:?}"),
            };
            let mut buf = vec![0u8; needed];
            prop_assert_eq!(encode_last_chunk(&headers, &mut buf), Ok(needed));
            wire.extend_from_slice(&buf);
            let body_end = wire.len();
            wire.extend_from_slice(b"GET / HTTP/1.1\r\n");

            let limits = Limits { max_body: body.len() as u64, ..Limits::DEFAULT };
            for pieces in [vec![&wire[..]], split(&wire, &points)] {
                let out = drive(&limits, &pieces);
                prop_assert_eq!(&out.end, &End::Done);
                prop_assert_eq!(&out.data, &body);
                prop_assert_eq!(&out.trailers, &trailers);
                prop_assert_eq!(out.consumed, body_end);
                prop_assert_eq!(&out.rest[..], &b"GET / HTTP/1.1\r\n"[..]);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_splits_agree(
            fragments in proptest::collection::vec(chunk_fragment(), 0..40),
            points in proptest::collection::vec(any::<usize>(), 0..24),
            limits in prop_oneof![Just(Limits::DEFAULT), small_limits()],
        ) {
            let input: Vec<u8> = fragments.concat();
            // `drive` asserts that no call consumes more than it was given.
            let whole = drive(&limits, &[&input]);
            let pieces = drive(&limits, &split(&input, &points));
            let bytes = drive(&limits, &bytewise(&input));
            for other in [&pieces, &bytes] {
                prop_assert_eq!(&other.end, &whole.end);
                prop_assert_eq!(&other.data, &whole.data);
                prop_assert_eq!(&other.trailers, &whole.trailers);
                if !matches!(whole.end, End::Err(_)) {
                    prop_assert_eq!(other.consumed, whole.consumed);
                    prop_assert_eq!(&other.rest, &whole.rest);
                }
            }
            prop_assert!(whole.consumed <= input.len());
        }

        #[test]
        fn raw_bytes_never_panic(
            input in proptest::collection::vec(any::<u8>(), 0..600),
            points in proptest::collection::vec(any::<usize>(), 0..24),
        ) {
            let out = drive(&Limits::DEFAULT, &split(&input, &points));
            prop_assert!(out.consumed <= input.len());
            prop_assert!(out.data.len() <= input.len());
        }
    }
}
