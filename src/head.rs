//! The head parser: one resumable loop over a start-line and its field
//! lines (RFC 9112 §2–§5), shared by requests and responses, and over the
//! field lines of a chunked body's trailer section (RFC 9112 §7.1.2),
//! which has no start-line ([`Role::Trailers`]).
//!
//! # Shape
//!
//! [`HeadParser::run`] is a state machine over the bytes not yet decided.
//! Each state scans a run of bytes of one class with a SIMD leaf scan
//! ([`Scanner`]), then decides the byte that ended the run: the next part of
//! the grammar, the end of the line, an error, or "need more bytes". A call
//! that runs out of bytes saves the state and the position, and the next
//! call (with the same bytes and more) resumes there, so each byte is
//! decided once however the input is split.
//!
//! # Fail fast, and the same answer however the input is split
//!
//! Every decision is a function of the bytes up to the one being decided,
//! and a decision that needs a byte not yet received waits for it (returns
//! `Partial`) instead of guessing. So a byte that makes the head invalid is
//! rejected in the call that brings it, and a head fed whole, byte by byte
//! or in any pieces yields the same result, error kind and offset included.
//! Where an error's kind depends on bytes after the first bad one (`Host :`
//! is whitespace before the colon, `Bad Name:` a bad name, `Content-Length
//! 10` a missing colon), the decision waits for the colon or the line end,
//! at most one line, bounded by the line limit.
//!
//! Limits are checked on the byte that crosses them: any byte of the head
//! at an offset of [`Limits::max_head`] or more, and any byte of a line
//! past its limit that does not end the line.
//!
//! # Fields borrowed from earlier calls
//!
//! Fields are written into the caller's slice as their lines complete, as
//! slices of this call's buffer. Fields completed by an earlier call
//! borrowed that call's buffer, so when a head completes in a call after
//! one that recorded fields, the loop runs once more over the (now valid)
//! head from its start to write every field from this buffer: at most
//! twice the work of one pass, so the cost stays linear in the head.

use crate::chars::{hex_value, is_token, trim_ows, FIELD_VALUE, TARGET_PLAIN, TOKEN};
use crate::error::{Error, ErrorKind};
use crate::field::Header;
use crate::limits::Limits;
use crate::simd::{self, Kernel, Scanner};
use crate::target::{self, TargetForm};
use crate::version::{self, Version};

/// The result of a parse call that did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The head is complete.
    Complete(T),
    /// More bytes are needed; call again with the same bytes and more.
    Partial,
}

impl<T> Status<T> {
    /// Is this `Complete`?
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }
}

/// Which start-line the head begins with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112 §3).
    Request,
    /// `status-line = HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4).
    Response,
    /// No start-line: the trailer section of a chunked body,
    /// `trailer-section = *( field-line CRLF )` then CRLF (RFC 9112 §7.1.2),
    /// one field line per run, into a one-slot `headers`. After a field
    /// line the loop decides nothing more: it stops at the next line's
    /// first byte, as `Partial` (the byte is missing or starts another
    /// line), `Done` (the empty line), or the bare-LF error (an LF there).
    /// The caller hands the field out, with the line ending at
    /// [`HeadParser::line_start`], and starts the loop again on the next
    /// line (see [`ChunkedDecoder`](crate::ChunkedDecoder)). Between calls
    /// on one line it keeps only a [`LineProgress`].
    Trailers,
}

/// The leniencies a parser may opt in to. All off by default; requests only
/// ever have `bare_lf` (the others are response-only, RULES RS-1, RS-3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Leniency {
    /// RULES LE-1 / RS-4: a bare LF ends a line.
    pub(crate) bare_lf: bool,
    /// RULES RS-1: `HTTP/1.1 200\r\n`, no SP after the code when the
    /// reason is empty.
    pub(crate) missing_reason_space: bool,
    /// RULES RS-3: obs-fold continues the previous field's value.
    pub(crate) obs_fold: bool,
    /// RULES RS-3: whitespace between a field name and its colon.
    pub(crate) space_before_colon: bool,
    /// RULES RS-3: an invalid field line is skipped.
    pub(crate) ignore_invalid_lines: bool,
    /// RULES RS-8: Transfer-Encoding wins over Content-Length (framing).
    pub(crate) te_overrides_cl: bool,
    /// RULES RS-9: repeated equal Content-Length values (framing).
    pub(crate) equal_lengths_ok: bool,
}

/// Where the loop is in the grammar: the part the next undecided byte
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the start-line: empty lines are skipped (RFC 9112 §2.2).
    Start,
    /// In the method (request).
    Method,
    /// In the request-target (request).
    Target,
    /// In the HTTP-version and what follows it (request).
    RequestVersion,
    /// In the HTTP-version (response).
    ResponseVersion,
    /// In the status code (response).
    StatusCode,
    /// In the reason phrase (response).
    Reason,
    /// At the first byte of a field line, or of the empty line that ends
    /// the head.
    LineStart,
    /// In a field name.
    Name,
    /// After whitespace that followed a field name: waiting for the colon
    /// or the line end to decide which error it is (or, leniently, to
    /// accept the colon).
    NameSpace,
    /// After the colon, in the whitespace before the value.
    ValueStart,
    /// In a field value.
    Value,
    /// In a field line being skipped (the `ignore_invalid_lines` leniency).
    SkipLine,
}

/// How far a head has been decided: everything a resumed call needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Progress {
    state: State,
    /// The first byte not yet decided.
    pos: usize,
    /// Start of the line `pos` is in.
    line_start: usize,
    empty_lines: usize,
    /// Start of the start-line.
    pub(crate) start_line: usize,
    /// Request: end of the method. Response: end of the version.
    pub(crate) method_end: usize,
    /// Request: the target. Response: the reason phrase.
    pub(crate) target: (usize, usize),
    /// Request: the target's form, once the request-line is complete.
    pub(crate) target_form: TargetForm,
    pub(crate) version: Version,
    pub(crate) status: u16,
    /// Field lines recorded so far.
    pub(crate) header_count: usize,
    /// What [`HeadParser::skip_run`] may skip: bytes of this class (an
    /// index into [`SKIP_CLASSES`], 0 for none) up to this offset.
    skip_class: u8,
    skip_end: usize,
    /// Start of the current field's (first) line: its name.
    field_start: usize,
    /// End of the current field's name.
    name_end: usize,
    /// Start of the current field's value (after OWS).
    value_start: usize,
    /// In [`State::NameSpace`]: something other than OWS came after the
    /// name.
    name_junk: bool,
    /// The last recorded field is Content-Length or Transfer-Encoding (a
    /// fold may not continue it, RULES OF-3).
    last_is_framing: bool,
    /// The last field line was skipped (`ignore_invalid_lines`): a fold
    /// after it is skipped too.
    last_skipped: bool,
    /// Fields that may be Host (by length and first byte), and the index of
    /// the last one: when there is at most one, the Host check looks at it
    /// alone instead of comparing every name.
    pub(crate) host_fields: usize,
    pub(crate) host_at: usize,
    /// The same for Content-Length and Transfer-Encoding.
    pub(crate) framing_fields: usize,
    pub(crate) framing_at: usize,
}

impl Progress {
    /// Nothing decided yet. All zero bits, so that a reset is a few
    /// stores, not a copy.
    pub(crate) const START: Progress = Progress {
        state: State::Start,
        pos: 0,
        line_start: 0,
        empty_lines: 0,
        start_line: 0,
        method_end: 0,
        target: (0, 0),
        target_form: TargetForm::Origin,
        version: Version::Http10,
        status: 0,
        header_count: 0,
        skip_class: 0,
        skip_end: 0,
        field_start: 0,
        name_end: 0,
        value_start: 0,
        name_junk: false,
        last_is_framing: false,
        last_skipped: false,
        host_fields: 0,
        host_at: 0,
        framing_fields: 0,
        framing_at: 0,
    };
}

/// What a [`Role::Trailers`] run on one field line needs to resume: the
/// parts of [`Progress`] its states read (a run covers one line, so the
/// rest is the same for every trailer line), small enough for a chunked
/// decoder to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineProgress {
    state: State,
    name_junk: bool,
    pos: usize,
    line_start: usize,
    field_start: usize,
    name_end: usize,
    value_start: usize,
}

impl LineProgress {
    /// Nothing of the line decided yet.
    pub(crate) const START: LineProgress = LineProgress {
        state: Progress::START.state,
        name_junk: Progress::START.name_junk,
        pos: Progress::START.pos,
        line_start: Progress::START.line_start,
        field_start: Progress::START.field_start,
        name_end: Progress::START.name_end,
        value_start: Progress::START.value_start,
    };

    /// The first byte not yet decided (for tests).
    #[cfg(test)]
    pub(crate) fn decided(&self) -> usize {
        self.pos
    }
}

/// What a head parser is configured with: fixed for its life. Kept apart
/// from its [`Progress`] so that the loop can work on the progress in place
/// (no copy in and out of each call) while it reads these.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) limits: Limits,
    pub(crate) lenient: Leniency,
    pub(crate) role: Role,
}

/// The resumable head parser under [`RequestParser`](crate::RequestParser),
/// [`ResponseParser`](crate::ResponseParser) and the trailer section of
/// [`ChunkedDecoder`](crate::ChunkedDecoder): settings, progress, and a
/// final error.
///
/// `repr(C)` keeps the fields in this order: with the error's padding next
/// to the progress (Rust's own order), a fresh parser was built in a
/// temporary and copied with `memcpy` into place, and the loop's first
/// reads of the copy stalled on store forwarding (about 10% of a 45-byte
/// parse, `perf record` on `examples/icount`).
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct HeadParser {
    pub(crate) settings: Settings,
    pub(crate) progress: Progress,
    /// A parse error is final: later calls return it again.
    pub(crate) error: Option<Error>,
}

/// What the byte at a stop is, once the checks every byte of a line gets
/// (head limit, line end, line limit) are done.
enum Stop {
    /// The line ends here; the next line starts at the given offset.
    LineEnd(usize),
    /// A byte inside the line.
    Byte(u8),
    /// The byte after a CR is needed to know.
    NeedMore,
}

/// A complete head: its length, and (for a request) the request-line's
/// method-to-target text, converted to `&str` with the field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Done<'b> {
    pub(crate) head_len: usize,
    pub(crate) line: &'b str,
}

/// One run of [`HeadParser::run`] as a [`Kernel`], compiled once per
/// instruction set so that the leaf scans inline into the loop.
struct Run<'p, 'b, 'h> {
    parser: &'p mut HeadParser,
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
}

impl<'b> Kernel for Run<'_, 'b, '_> {
    type Output = Result<Option<Done<'b>>, Error>;

    #[inline(always)]
    fn run<S: Scanner>(self, sc: S) -> Self::Output {
        let HeadParser {
            settings, progress, ..
        } = self.parser;
        settings.run(sc, progress, self.buf, self.headers)
    }
}

/// The classes [`HeadParser::skip_run`] skips: none, token, field-value
/// bytes, plain request-target bytes.
static SKIP_CLASSES: [&[bool; 256]; 4] = [&[false; 256], &TOKEN, &FIELD_VALUE, &TARGET_PLAIN];

/// `&str` views of the runs of a head that the loop matched against an
/// ASCII-only class ([`TOKEN`] for the method and field names, the
/// request-target's bytes for the target), without a second look at their
/// bytes when this call matched them.
#[derive(Clone, Copy)]
struct AsciiRuns {
    /// The first byte this call decided: a run that starts here or later
    /// was matched, byte by byte, by this call's scans of this buffer.
    decided_from: usize,
}

impl AsciiRuns {
    /// `buf[from..to]`, a method, target or field name (or the method to
    /// target stretch of the request-line), as `&str`.
    #[inline(always)]
    fn get(self, buf: &[u8], from: usize, to: usize) -> &str {
        self.get_run(buf.get(from..to).unwrap_or_default(), from)
    }

    /// [`get`](Self::get) of the run `run` that starts at `from`.
    #[inline(always)]
    fn get_run(self, run: &[u8], from: usize) -> &str {
        if from >= self.decided_from {
            debug_assert!(run.is_ascii(), "{run:?}");
            // SAFETY: every byte of `run` was decided by this call (it starts
            // at or after `decided_from`) and accepted by a scan of this
            // buffer against an ASCII-only class: `tchar` for a method or
            // name (`Scanner::token_len`, `is_token`), the request-target's
            // bytes for a target (`Scanner::target_len`: `TARGET_PLAIN`, `%`
            // and two hex digits; `[`, `]` in `State::Target`), and the one
            // SP between method and target. ASCII is UTF-8. The SIMD scans
            // are proven equal to those tables by the tests in `simd/`.
            return unsafe { core::str::from_utf8_unchecked(run) };
        }
        // Decided by an earlier call, on a buffer that only had to start
        // with the same bytes: checked.
        core::str::from_utf8(run).unwrap_or("")
    }
}

/// Is `b` OWS (SP or HTAB, RFC 9110 §5.6.3)?
#[inline(always)]
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl HeadParser {
    /// A fresh parser.
    pub(crate) const fn new(role: Role, limits: Limits) -> HeadParser {
        HeadParser {
            settings: Settings {
                limits,
                lenient: Leniency {
                    bare_lf: false,
                    missing_reason_space: false,
                    obs_fold: false,
                    space_before_colon: false,
                    ignore_invalid_lines: false,
                    te_overrides_cl: false,
                    equal_lengths_ok: false,
                },
                role,
            },
            progress: Progress::START,
            error: None,
        }
    }

    /// A [`Role::Trailers`] run on one field line, resumed where `saved`
    /// left it (see [`line_progress`](Self::line_progress)).
    #[inline]
    pub(crate) fn trailer_line(limits: Limits, saved: LineProgress) -> HeadParser {
        let mut parser = HeadParser::new(Role::Trailers, limits);
        let p = &mut parser.progress;
        p.state = saved.state;
        p.name_junk = saved.name_junk;
        p.pos = saved.pos;
        p.line_start = saved.line_start;
        p.field_start = saved.field_start;
        p.name_end = saved.name_end;
        p.value_start = saved.value_start;
        parser
    }

    /// What a [`Role::Trailers`] run that needs more bytes keeps of its
    /// progress, its field line being incomplete.
    #[inline]
    pub(crate) fn line_progress(&self) -> LineProgress {
        let p = &self.progress;
        debug_assert_eq!((self.settings.role, p.header_count), (Role::Trailers, 0));
        LineProgress {
            state: p.state,
            name_junk: p.name_junk,
            pos: p.pos,
            line_start: p.line_start,
            field_start: p.field_start,
            name_end: p.name_end,
            value_start: p.value_start,
        }
    }

    /// Where the line the loop stopped in starts.
    #[inline]
    pub(crate) fn line_start(&self) -> usize {
        self.progress.line_start
    }

    /// Forgets any partial head.
    #[inline]
    pub(crate) fn reset(&mut self) {
        self.progress = Progress::START;
        self.error = None;
    }

    /// Decides the bytes of `buf` not decided by earlier calls. Returns the
    /// head length once the empty line that ends it has arrived, with every
    /// field in `headers[..progress.header_count]` sliced from `buf`.
    /// Errors are final (kept for later calls).
    #[inline(always)]
    pub(crate) fn advance<'b>(
        &mut self,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
    ) -> Result<Option<Done<'b>>, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let p = &self.progress;
        if buf.len() < p.pos {
            // Not the buffer of the previous call: start over.
            self.progress = Progress::START;
        }
        let recorded = self.progress.header_count;
        // With obs-fold and ignored invalid lines together, one field past
        // the limit may be pending (see `State::LineStart`); it has no slot.
        let pending = usize::from(
            self.settings.lenient.obs_fold && self.settings.lenient.ignore_invalid_lines,
        );
        if headers.len() < recorded.saturating_sub(pending) {
            let e = Error::new(ErrorKind::TooManyHeaders, self.progress.line_start);
            self.error = Some(e);
            return Err(e);
        }
        let result = simd::dispatch(Run {
            parser: self,
            buf,
            headers: &mut *headers,
        });
        match result {
            Ok(Some(done)) if recorded > 0 => self.replay(buf, headers, done),
            Err(e) => {
                self.error = Some(e);
                Err(e)
            }
            other => other,
        }
    }

    /// Fields recorded by earlier calls borrowed their buffers: once the
    /// head is complete, write them all again from this one by running the
    /// loop over the (valid) head from its start (see the module docs).
    #[cold]
    #[inline(never)]
    fn replay<'b>(
        &mut self,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
        done: Done<'b>,
    ) -> Result<Option<Done<'b>>, Error> {
        self.progress = Progress::START;
        let again = simd::dispatch(Run {
            parser: self,
            buf,
            headers,
        });
        debug_assert_eq!(
            again.map(|d| d.map(|d| d.head_len)),
            Ok(Some(done.head_len))
        );
        again
    }

    /// A call that brings a few bytes, all of the class the current state
    /// scans and within its limits, only moves the position: answered here,
    /// inlined into the caller, so that bytes arriving one at a time stay
    /// cheap. It is the loop's leaf scan (the scalar tables the SIMD scans
    /// are tested against) with the class and the end the loop saved when
    /// it last stopped ([`Settings::skippable`]), deciding nothing the
    /// loop would not.
    #[inline(always)]
    pub(crate) fn skip_run(&mut self, buf: &[u8]) -> bool {
        let p = &mut self.progress;
        let Some(new @ [_, ..]) = buf.get(p.pos..) else {
            return false;
        };
        let class = SKIP_CLASSES[usize::from(p.skip_class & 3)];
        if p.skip_class != 0
            && new.len() <= 8
            && buf.len() <= p.skip_end
            && self.error.is_none()
            && new.iter().all(|&b| class[usize::from(b)])
        {
            p.pos = buf.len();
            return true;
        }
        false
    }
}

impl Settings {
    /// The class of bytes the state of `p` scans, and the end of the run
    /// its limits allow, for [`HeadParser::skip_run`].
    #[inline(always)]
    fn skippable(&self, p: &Progress) -> (u8, usize) {
        let limits = &self.limits;
        let (class, line_limit) = match p.state {
            State::Value => (2, limits.max_header_line),
            State::Name => (1, limits.max_header_line),
            State::Target => (3, limits.max_request_line),
            State::Reason => (2, limits.max_request_line),
            State::Method => (1, limits.max_request_line.min(limits.max_method)),
            _ => return (0, 0),
        };
        (
            class,
            p.line_start.saturating_add(line_limit).min(limits.max_head),
        )
    }

    /// The checks every byte of a line gets, on the byte at `pos` (which
    /// exists) of the line `p` is in: the head limit, then whether it ends
    /// the line (CRLF, or a bare LF when allowed), then the line's limit.
    #[inline(always)]
    fn stop(&self, buf: &[u8], pos: usize, p: &Progress) -> Result<Stop, Error> {
        let max_head = self.limits.max_head;
        // Limits (RULES LM-4): no byte of the head at max_head or beyond.
        if pos >= max_head {
            return Err(Error::new(ErrorKind::HeadTooLarge, max_head));
        }
        let b = buf[pos];
        match b {
            // RFC 9112 §2.2: CRLF ends a line; a CR alone is a byte of the
            // line (rejected by the grammar of the part it is in).
            b'\r' => match buf.get(pos + 1) {
                None => return Ok(Stop::NeedMore),
                Some(b'\n') if pos + 1 >= max_head => {
                    return Err(Error::new(ErrorKind::HeadTooLarge, max_head))
                }
                Some(b'\n') => return Ok(Stop::LineEnd(pos + 2)),
                Some(_) => {}
            },
            // A bare LF only when allowed (RULES LE-1).
            b'\n' if self.lenient.bare_lf => return Ok(Stop::LineEnd(pos + 1)),
            b'\n' => return Err(Error::new(ErrorKind::BareLf, pos)),
            _ => {}
        }
        let (too_long, line_limit) = self.line_limit(p);
        if pos >= line_limit {
            return Err(Error::new(too_long, line_limit));
        }
        Ok(Stop::Byte(b))
    }

    /// The loop. See the module docs.
    #[inline(always)]
    fn run<'b, S: Scanner>(
        &self,
        sc: S,
        p: &mut Progress,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
    ) -> Result<Option<Done<'b>>, Error> {
        let limits = self.limits;
        let max_head = limits.max_head;
        let max_index = limits.max_headers.min(headers.len());
        // Every byte from here on is decided by this call, on this `buf`.
        let names = AsciiRuns {
            decided_from: p.pos,
        };
        // The request-line's method-to-target text, converted with the
        // names when the line completes in this call.
        let mut line: &'b str = "";
        // The loop works on the progress in place, so an exit that needs
        // more bytes only notes what the next call may skip (`skip_run`).
        // An error exit leaves it part-way: errors are final, and only a
        // reset (a fresh progress) follows.
        macro_rules! partial {
            () => {{
                (p.skip_class, p.skip_end) = self.skippable(p);
                return Ok(None);
            }};
        }
        macro_rules! fail {
            ($kind:expr, $at:expr) => {
                return Err(Error::new($kind, $at))
            };
        }
        loop {
            match p.state {
                State::Start => {
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    // An empty line, or the start-line's first byte: the
                    // line limit cannot be crossed by either. (A trailer
                    // section has no start-line: its empty line ends it.)
                    match buf[p.pos] {
                        b'\r' | b'\n' if self.role != Role::Trailers => {
                            match self.stop(buf, p.pos, p)? {
                                Stop::NeedMore => partial!(),
                                Stop::LineEnd(next) => {
                                    // RFC 9112 §2.2: ignore empty lines before
                                    // the start-line, up to a limit.
                                    p.empty_lines += 1;
                                    if p.empty_lines > limits.max_empty_lines {
                                        fail!(ErrorKind::TooManyEmptyLines, p.line_start);
                                    }
                                    p.pos = next;
                                    p.line_start = next;
                                    continue;
                                }
                                // A CR that is not a line end: the start-line's.
                                Stop::Byte(_) => {}
                            }
                        }
                        _ => {}
                    }
                    p.start_line = p.pos;
                    p.state = match self.role {
                        Role::Request => State::Method,
                        Role::Response => State::ResponseVersion,
                        Role::Trailers => State::LineStart,
                    };
                }
                State::Method => {
                    // method = token (RFC 9112 §3.1), then one SP.
                    let method_limit = p.line_start.saturating_add(limits.max_method);
                    let line_limit = p.line_start.saturating_add(limits.max_request_line);
                    let end = buf.len().min(method_limit).min(line_limit).min(max_head);
                    let rest = buf.get(p.pos..end).unwrap_or_default();
                    let stop = p.pos + sc.token_len(rest);
                    if stop < end && buf[stop] == b' ' && stop > p.line_start {
                        p.method_end = stop;
                        p.pos = stop + 1;
                        p.state = State::Target;
                        continue;
                    }
                    p.pos = stop;
                    let Some(&b) = buf.get(stop) else { partial!() };
                    if stop >= max_head {
                        fail!(ErrorKind::HeadTooLarge, max_head);
                    }
                    if stop >= method_limit && is_token(b) {
                        // RFC 9112 §3: an overlong method gets 501.
                        fail!(ErrorKind::MethodTooLong, method_limit);
                    }
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        // A method and nothing else.
                        Stop::LineEnd(_) => fail!(ErrorKind::InvalidTarget, stop),
                        Stop::Byte(b' ') if stop > p.line_start => {
                            p.method_end = stop;
                            p.pos = stop + 1;
                            p.state = State::Target;
                        }
                        // RFC 9112 §3: exactly one SP; no leading whitespace.
                        Stop::Byte(b' ' | b'\t' | 0x0b | 0x0c) => {
                            fail!(ErrorKind::InvalidRequestLineWhitespace, stop)
                        }
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(_) => fail!(ErrorKind::InvalidMethod, stop),
                    }
                }
                State::Target => {
                    // RFC 9112 §3.2, RFC 3986 §2: plain bytes and escapes.
                    let line_limit = p.line_start.saturating_add(limits.max_request_line);
                    let end = buf.len().min(line_limit).min(max_head);
                    let rest = buf.get(p.pos..end).unwrap_or_default();
                    let stop = p.pos + sc.target_len(rest);
                    let target_start = p.method_end + 1;
                    if stop < end && buf[stop] == b' ' && stop > target_start {
                        p.target = (target_start, stop);
                        p.pos = stop + 1;
                        p.state = State::RequestVersion;
                        continue;
                    }
                    p.pos = stop;
                    if stop >= buf.len() {
                        partial!();
                    }
                    let b = match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(_) if stop == target_start => {
                            fail!(ErrorKind::InvalidRequestLineWhitespace, stop)
                        }
                        // RFC 9112 §2.3: no HTTP-version is HTTP/0.9, which
                        // we never serve (RULES RL-8).
                        Stop::LineEnd(_) => fail!(ErrorKind::MissingVersion, stop),
                        Stop::Byte(b) => b,
                    };
                    match b {
                        b' ' if stop == target_start => {
                            fail!(ErrorKind::InvalidRequestLineWhitespace, stop)
                        }
                        b' ' => {
                            p.target = (target_start, stop);
                            p.pos = stop + 1;
                            p.state = State::RequestVersion;
                        }
                        b'%' => {
                            // RFC 3986 §2.1: "%" HEXDIG HEXDIG, each byte
                            // decided as it arrives.
                            for i in 1..3 {
                                let Some(&h) = buf.get(stop + i) else {
                                    partial!()
                                };
                                if hex_value(h).is_none() {
                                    fail!(ErrorKind::InvalidPercentEncoding, stop);
                                }
                            }
                            if stop + 2 >= max_head {
                                fail!(ErrorKind::HeadTooLarge, max_head);
                            }
                            if stop + 2 >= line_limit {
                                let (kind, at) = self.line_limit(p);
                                fail!(kind, at);
                            }
                            p.pos = stop + 3;
                        }
                        // RULES TG-8: never a fragment.
                        b'#' => fail!(ErrorKind::TargetFragment, stop),
                        // RULES TG-1, TG-7: brackets only in an IP-literal
                        // authority, which an origin-form target has not
                        // (`classify` checks where they are in the others).
                        b'[' | b']' if buf.get(target_start) != Some(&b'/') => p.pos = stop + 1,
                        b'\t' | 0x0b | 0x0c => {
                            fail!(ErrorKind::InvalidRequestLineWhitespace, stop)
                        }
                        b'\r' => fail!(ErrorKind::BareCr, stop),
                        _ => fail!(ErrorKind::InvalidTarget, stop),
                    }
                }
                State::RequestVersion => {
                    // `HTTP-version CRLF` ends the request-line.
                    // After the target's SP.
                    let vs = p.target.1 + 1;
                    let line_limit = p.line_start.saturating_add(limits.max_request_line);
                    // The common case in two compares.
                    if let Some([v @ .., b'\r', b'\n']) =
                        buf.get(vs..).and_then(|b| b.first_chunk::<10>())
                    {
                        if let (true, Some(version)) = (
                            p.pos == vs && vs + 8 <= line_limit && vs + 9 < max_head,
                            fast_version(v),
                        ) {
                            p.version = version;
                            self.end_request_line(buf, p, vs + 10)?;
                            line = names.get(buf, p.start_line, p.target.1);
                            continue;
                        }
                    }
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    let k = stop - vs;
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            p.version = request_version(&buf[vs..stop])
                                .map_err(|kind| Error::new(kind, vs))?;
                            self.end_request_line(buf, p, next)?;
                            line = names.get(buf, p.start_line, p.target.1);
                        }
                        Stop::Byte(b) => {
                            if k < 8 && version::grammar_byte(k, b) {
                                p.pos += 1;
                                continue;
                            }
                            let kind = match b {
                                b'\r' => fail!(ErrorKind::BareCr, stop),
                                // Whitespace before the version, or after a
                                // version we would accept (RULES RL-2).
                                b' ' | b'\t' if k == 0 => ErrorKind::InvalidRequestLineWhitespace,
                                b' ' | b'\t' if k == 8 && buf[vs + 5] == b'1' => {
                                    ErrorKind::InvalidRequestLineWhitespace
                                }
                                _ => ErrorKind::InvalidVersion,
                            };
                            fail!(kind, vs);
                        }
                    }
                }
                State::ResponseVersion => {
                    // status-line = HTTP-version SP status-code SP
                    // [reason-phrase] (RFC 9112 §4).
                    let vs = p.start_line;
                    // The common case in a few compares: `HTTP/1.x NNN `.
                    let line_limit = p.line_start.saturating_add(limits.max_request_line);
                    if let (true, Some(v), Some(&[b' ', a, b, c, b' '])) = (
                        p.pos == vs && vs + 13 <= line_limit.min(max_head),
                        buf.get(vs..)
                            .and_then(|b| b.first_chunk())
                            .and_then(fast_version),
                        buf.get(vs + 8..vs + 13),
                    ) {
                        if (b'1'..=b'9').contains(&a) && b.is_ascii_digit() && c.is_ascii_digit() {
                            p.version = v;
                            p.status = u16::from(a - b'0') * 100
                                + u16::from(b - b'0') * 10
                                + u16::from(c - b'0');
                            p.pos = vs + 13;
                            p.target = (vs + 13, vs + 13);
                            p.state = State::Reason;
                            continue;
                        }
                    }
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    let k = stop - vs;
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(b) if k < 8 => {
                            if !version::grammar_byte(k, b) {
                                fail!(ErrorKind::InvalidVersion, vs);
                            }
                            p.pos += 1;
                        }
                        Stop::LineEnd(_) if k < 8 => fail!(ErrorKind::InvalidVersion, vs),
                        Stop::Byte(b' ') => {
                            // RULES RS-2: the request's version rules.
                            p.version = version::from_digits(buf[vs + 5], buf[vs + 7])
                                .map_err(|kind| Error::new(kind, vs))?;
                            p.method_end = stop;
                            p.pos = stop + 1;
                            p.state = State::StatusCode;
                        }
                        Stop::LineEnd(_) | Stop::Byte(_) => {
                            fail!(ErrorKind::InvalidStatusLine, stop)
                        }
                    }
                }
                State::StatusCode => {
                    // status-code = 3DIGIT (RFC 9112 §4), 100–999 (RULES RS-1).
                    // After the version's SP.
                    let cs = p.method_end + 1;
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    let k = stop - cs;
                    let stop_kind = self.stop(buf, stop, p)?;
                    match stop_kind {
                        Stop::NeedMore => partial!(),
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(b) if k < 3 => {
                            if !b.is_ascii_digit() || (k == 0 && b == b'0') {
                                fail!(ErrorKind::InvalidStatusCode, cs);
                            }
                            p.status = p.status * 10 + u16::from(b - b'0');
                            p.pos += 1;
                        }
                        Stop::Byte(b' ') if k == 3 => {
                            p.pos = stop + 1;
                            p.target = (stop + 1, stop + 1);
                            p.state = State::Reason;
                        }
                        // RULES RS-1 leniency: no SP before an empty reason.
                        Stop::LineEnd(next) if k == 3 && self.lenient.missing_reason_space => {
                            p.target = (stop, stop);
                            self.end_start_line(p, next);
                        }
                        Stop::LineEnd(_) | Stop::Byte(_) if k == 3 => {
                            fail!(ErrorKind::InvalidStatusLine, stop)
                        }
                        _ => fail!(ErrorKind::InvalidStatusCode, cs),
                    }
                }
                State::Reason => {
                    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ),
                    // the field-value bytes (RFC 9112 §4).
                    let line_limit = p.line_start.saturating_add(limits.max_request_line);
                    let end = buf.len().min(line_limit).min(max_head);
                    let rest = buf.get(p.pos..end).unwrap_or_default();
                    let stop = p.pos + sc.value_len(rest);
                    p.pos = stop;
                    if stop >= buf.len() {
                        partial!();
                    }
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            p.target.1 = stop;
                            self.end_start_line(p, next);
                        }
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(_) => fail!(ErrorKind::InvalidReasonPhrase, stop),
                    }
                }
                State::LineStart => {
                    // The common case, line after line: a complete field
                    // line, CRLF-ended, within every limit. The first byte
                    // not allowed in a value ends a good line at its CR (a
                    // name is tokens and ':' is allowed in a value, so the
                    // scan may start at the line's first byte), and the name
                    // scan stops at the ':': two independent scans a line.
                    // Any other line is decided byte by byte below.
                    let max_line = limits.max_header_line;
                    let head = buf.get(..max_head).unwrap_or(buf);
                    // The line's start, and where the last field recorded
                    // here starts and its name ends: kept in registers, and
                    // written to `p` once after the lines.
                    let mut pos = p.pos;
                    let (mut field_start, mut name_end) = (p.field_start, p.name_end);
                    // The count of fields, and what the last one's name may
                    // be, likewise.
                    let mut count = p.header_count;
                    let mut last_noted = Noted::Other;
                    while count < max_index {
                        let rest = head.get(pos..).unwrap_or_default();
                        let rest = rest.get(..max_line).unwrap_or(rest);
                        let line_len = sc.value_len(rest);
                        // (An empty line, the head's end, is decided below.)
                        let crlf = rest.get(line_len..).and_then(<[u8]>::first_chunk);
                        if line_len == 0 || crlf != Some(b"\r\n") {
                            break;
                        }
                        let name_len = sc.token_len(rest);
                        if name_len == 0 || rest.get(name_len) != Some(&b':') {
                            break;
                        }
                        // OWS around the value (RFC 9112 §5): usually one SP
                        // before it and none after, seen in three bytes. The
                        // value scan accepted them, and the only value bytes
                        // up to SP are OWS (HTAB, SP): one compare each.
                        let raw = rest.get(name_len + 1..line_len).unwrap_or_default();
                        let value = match raw {
                            [b' ', first, .., last] if *first > b' ' && *last > b' ' => &raw[1..],
                            _ => trim_ows(raw),
                        };
                        let name = names.get_run(rest.get(..name_len).unwrap_or_default(), pos);
                        last_noted = self.record(headers, p, count, name, value);
                        count += 1;
                        (field_start, name_end) = (pos, pos + name_len);
                        pos += line_len + 2;
                    }
                    if pos != p.pos {
                        let last_name = buf.get(field_start..name_end).unwrap_or_default();
                        recorded(p, count, last_name, last_noted);
                        p.field_start = field_start;
                        p.name_end = name_end;
                        // Where an obs-fold continuation's value starts.
                        p.value_start = name_end + 1;
                        p.pos = pos;
                        p.line_start = pos;
                    }
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    let b = match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        // The empty line: the head is complete.
                        Stop::LineEnd(next) => {
                            if p.header_count > max_index {
                                // A field past the limit that no invalid
                                // fold dropped (see below).
                                fail!(ErrorKind::TooManyHeaders, p.field_start);
                            }
                            if line.is_empty() && self.role == Role::Request {
                                // The request-line came in an earlier call.
                                line = names.get(buf, p.start_line, p.target.1);
                            }
                            return Ok(Some(Done {
                                head_len: next,
                                line,
                            }));
                        }
                        Stop::Byte(b) => b,
                    };
                    // A line that may add a field, past the last one allowed:
                    // strictly no line can follow but the empty one. A fold
                    // adds none, nor does a line that `ignore_invalid_lines`
                    // may skip (its count is checked when it is recorded).
                    let folds = self.lenient.obs_fold
                        && (b == b' ' || b == b'\t')
                        && (p.last_skipped || p.header_count > 0);
                    if p.header_count >= max_index && !folds && !self.lenient.ignore_invalid_lines {
                        if self.role == Role::Trailers && p.header_count > 0 {
                            // The trailer field line before this one is
                            // complete: the run ends (see `Role::Trailers`).
                            partial!();
                        }
                        fail!(ErrorKind::TooManyHeaders, p.line_start);
                    }
                    // With both leniencies, a field past the limit is counted
                    // once no fold can follow: an invalid fold would drop it.
                    if p.header_count > max_index && !folds {
                        fail!(ErrorKind::TooManyHeaders, p.field_start);
                    }
                    match b {
                        // RFC 9112 §5.2: obs-fold, or a whitespace-led line.
                        b' ' | b'\t' if self.lenient.obs_fold && p.last_skipped => {
                            p.pos = stop + 1;
                            p.state = State::SkipLine;
                        }
                        b' ' | b'\t' if self.lenient.obs_fold && p.header_count > 0 => {
                            // RULES OF-3: never a folded framing field.
                            if p.last_is_framing {
                                fail!(ErrorKind::ObsFold, stop);
                            }
                            // The previous field's value goes on (RULES RS-3).
                            p.header_count -= 1;
                            p.pos = stop + 1;
                            p.state = State::Value;
                        }
                        b' ' | b'\t' => self.field_error(p, ErrorKind::ObsFold, stop, None)?,
                        b':' => self.field_error(p, ErrorKind::EmptyHeaderName, stop, None)?,
                        b'\r' => fail!(ErrorKind::BareCr, stop),
                        b if is_token(b) => {
                            p.field_start = stop;
                            p.state = State::Name;
                        }
                        _ => self.field_error(p, ErrorKind::InvalidHeaderName, stop, None)?,
                    }
                }
                State::Name => {
                    // field-name = token (RFC 9110 §5.1), then ":".
                    let line_limit = p.line_start.saturating_add(limits.max_header_line);
                    let end = buf.len().min(line_limit).min(max_head);
                    let rest = buf.get(p.pos..end).unwrap_or_default();
                    let stop = p.pos + sc.token_len(rest);
                    p.pos = stop;
                    if stop >= buf.len() {
                        partial!();
                    }
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            self.field_error(p, ErrorKind::MissingColon, stop, Some(next))?
                        }
                        Stop::Byte(b':') => {
                            p.name_end = stop;
                            p.pos = stop + 1;
                            p.state = State::ValueStart;
                        }
                        // RFC 9112 §5.1: no whitespace before the colon; which
                        // error it is waits for the colon or the line end.
                        Stop::Byte(b' ' | b'\t') => {
                            p.name_end = stop;
                            p.name_junk = false;
                            p.pos = stop + 1;
                            p.state = State::NameSpace;
                        }
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(_) => {
                            self.field_error(p, ErrorKind::InvalidHeaderName, stop, None)?
                        }
                    }
                }
                State::NameSpace => {
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            let at = p.name_end;
                            self.field_error(p, ErrorKind::MissingColon, at, Some(next))?
                        }
                        Stop::Byte(b':') if !p.name_junk && self.lenient.space_before_colon => {
                            // RULES RS-3 leniency: the name without the space.
                            p.pos = stop + 1;
                            p.state = State::ValueStart;
                        }
                        Stop::Byte(b':') => {
                            let kind = if !p.name_junk {
                                ErrorKind::WhitespaceBeforeColon
                            } else {
                                // "Bad Name: x": the space is inside the name.
                                ErrorKind::InvalidHeaderName
                            };
                            p.pos = stop;
                            let at = p.name_end;
                            self.field_error(p, kind, at, None)?;
                        }
                        // RFC 9112 §2.2: a bare CR is refused wherever it is,
                        // never taken for a byte of a bad name.
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(b) => {
                            p.name_junk |= !is_ows(b);
                            p.pos = stop + 1;
                        }
                    }
                }
                State::ValueStart => {
                    // OWS before the value is not part of it (RFC 9112 §5).
                    let line_limit = p.line_start.saturating_add(limits.max_header_line);
                    let end = buf.len().min(line_limit).min(max_head);
                    while p.pos < end && is_ows(buf[p.pos]) {
                        p.pos += 1;
                    }
                    if p.pos >= buf.len() {
                        partial!();
                    }
                    p.value_start = p.pos;
                    p.state = State::Value;
                }
                State::Value => {
                    // field-value bytes (RFC 9110 §5.5): no CTL but HTAB.
                    let line_limit = p.line_start.saturating_add(limits.max_header_line);
                    let end = buf.len().min(line_limit).min(max_head);
                    let rest = buf.get(p.pos..end).unwrap_or_default();
                    let stop = p.pos + sc.value_len(rest);
                    p.pos = stop;
                    if stop >= buf.len() {
                        partial!();
                    }
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            // Only with `ignore_invalid_lines`: see
                            // `State::LineStart`. With `obs_fold` as well, the
                            // check waits for the next line, which may be a
                            // fold that drops this field.
                            if p.header_count >= max_index && !self.lenient.obs_fold {
                                fail!(ErrorKind::TooManyHeaders, p.field_start);
                            }
                            let raw = buf.get(p.value_start..stop).unwrap_or_default();
                            // Trailing OWS is not part of the value (RFC 9112 §5).
                            let value = trim_ows(raw);
                            let name = names.get(buf, p.field_start, p.name_end);
                            let index = p.header_count;
                            let noted = self.record(headers, p, index, name, value);
                            recorded(p, index + 1, name.as_bytes(), noted);
                            p.pos = next;
                            p.line_start = next;
                            p.state = State::LineStart;
                        }
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(_) => {
                            self.field_error(p, ErrorKind::InvalidHeaderValue, stop, None)?
                        }
                    }
                }
                State::SkipLine => {
                    let Some(_) = buf.get(p.pos) else { partial!() };
                    let stop = p.pos;
                    match self.stop(buf, stop, p)? {
                        Stop::NeedMore => partial!(),
                        Stop::LineEnd(next) => {
                            p.pos = next;
                            p.line_start = next;
                            p.state = State::LineStart;
                        }
                        // A skipped line still may not hide a bare CR.
                        Stop::Byte(b'\r') => fail!(ErrorKind::BareCr, stop),
                        Stop::Byte(_) => p.pos = stop + 1,
                    }
                }
            }
        }
    }

    /// The line `p` is in ends at the latest before this offset (its line
    /// end aside), else it is the returned error.
    #[inline(always)]
    fn line_limit(&self, p: &Progress) -> (ErrorKind, usize) {
        let start_line = p.line_start.saturating_add(self.limits.max_request_line);
        match (p.state, self.role) {
            (State::Start, Role::Request)
            | (State::Method | State::Target | State::RequestVersion, _) => {
                (ErrorKind::RequestLineTooLong, start_line)
            }
            (State::Start, Role::Response)
            | (State::ResponseVersion | State::StatusCode | State::Reason, _) => {
                (ErrorKind::StatusLineTooLong, start_line)
            }
            _ => (
                ErrorKind::HeaderLineTooLong,
                p.line_start.saturating_add(self.limits.max_header_line),
            ),
        }
    }

    /// A field line's own error, found at the byte at `p.pos` (or at the
    /// line end, when `next` is where the next line starts): fatal, or, with
    /// the `ignore_invalid_lines` leniency (RULES RS-3), the line is skipped.
    #[cold]
    #[inline(never)]
    fn field_error(
        &self,
        p: &mut Progress,
        kind: ErrorKind,
        at: usize,
        next: Option<usize>,
    ) -> Result<(), Error> {
        if !self.lenient.ignore_invalid_lines {
            return Err(Error::new(kind, at));
        }
        p.last_skipped = true;
        match next {
            Some(next) => {
                p.pos = next;
                p.line_start = next;
                p.state = State::LineStart;
            }
            None => {
                p.pos += 1;
                p.state = State::SkipLine;
            }
        }
        Ok(())
    }

    /// The request-line is complete and the fields start at `next`: check
    /// the target's form against the method, then go on to the fields.
    #[inline(always)]
    fn end_request_line(&self, buf: &[u8], p: &mut Progress, next: usize) -> Result<(), Error> {
        let method = &buf[p.start_line..p.method_end];
        let target = &buf[p.target.0..p.target.1];
        // RFC 9112 §3.2.3, §3.2.4: the form must fit the method. The
        // common case, an origin-form target without CONNECT, inline.
        p.target_form = if target.first() == Some(&b'/') && method != b"CONNECT" {
            TargetForm::Origin
        } else {
            target::classify(method, target)
                .map_err(|(i, kind)| Error::new(kind, p.target.0 + i))?
        };
        self.end_start_line(p, next);
        Ok(())
    }

    /// The start-line is complete; the fields start at `next`.
    #[inline(always)]
    fn end_start_line(&self, p: &mut Progress, next: usize) {
        p.pos = next;
        p.line_start = next;
        p.state = State::LineStart;
    }

    /// Records the field `name` (at `p.field_start..p.name_end`, or where
    /// the field-line loop keeps its bounds), with its value (OWS trimmed),
    /// as field number `index`, and notes it if it may be Host,
    /// Content-Length or Transfer-Encoding. [`recorded`] then counts it.
    #[inline(always)]
    fn record<'b>(
        &self,
        headers: &mut [Header<'b>],
        p: &mut Progress,
        index: usize,
        name: &'b str,
        value: &'b [u8],
    ) -> Noted {
        if let Some(slot) = headers.get_mut(index) {
            *slot = Header { name, value };
        }
        let noted = note(name.as_bytes());
        match noted {
            Noted::Host => {
                p.host_fields += 1;
                p.host_at = index;
            }
            Noted::Framing => {
                p.framing_fields += 1;
                p.framing_at = index;
            }
            Noted::Other => {}
        }
        noted
    }
}

/// `count` fields are recorded, the last called `name` (noted as `noted`).
#[inline(always)]
fn recorded(p: &mut Progress, count: usize, name: &[u8], noted: Noted) {
    p.last_is_framing = noted == Noted::Framing && is_framing(name);
    p.last_skipped = false;
    p.header_count = count;
}

/// What a field name may be, judged by its length and first letter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Noted {
    /// Possibly Host.
    Host,
    /// Possibly Content-Length or Transfer-Encoding.
    Framing,
    /// None of the three.
    Other,
}

/// Which of Host, Content-Length and Transfer-Encoding `name` may be (a
/// superset of the case-insensitive matches): one table look-up and one
/// (rarely taken) branch per field.
#[inline(always)]
fn note(name: &[u8]) -> Noted {
    // The lower-cased first letter the three names of each length start with.
    const FIRST: [u8; 18] = {
        let mut t = [0u8; 18];
        t[4] = b'h';
        t[14] = b'c';
        t[17] = b't';
        t
    };
    match (FIRST.get(name.len()), name.first()) {
        (Some(&want), Some(&first)) if first | 0x20 == want => {
            if want == b'h' {
                Noted::Host
            } else {
                Noted::Framing
            }
        }
        _ => Noted::Other,
    }
}

/// Is `name` Content-Length or Transfer-Encoding?
#[cold]
fn is_framing(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"transfer-encoding")
}

/// The request's HTTP-version, ended by the line end at `v.len()`: every
/// byte of `v` already matched [`version::grammar_byte`].
#[cold]
fn request_version(v: &[u8]) -> Result<Version, ErrorKind> {
    match v {
        [] => Err(ErrorKind::MissingVersion),
        [_, _, _, _, _, major, _, minor] => version::from_digits(*major, *minor),
        _ => Err(ErrorKind::InvalidVersion),
    }
}

/// `HTTP/1.1` or `HTTP/1.0` in one compare, else `None` (the byte path
/// decides).
#[inline(always)]
fn fast_version(v: &[u8; 8]) -> Option<Version> {
    match u64::from_le_bytes(*v) {
        x if x == u64::from_le_bytes(*b"HTTP/1.1") => Some(Version::Http11),
        x if x == u64::from_le_bytes(*b"HTTP/1.0") => Some(Version::Http10),
        _ => None,
    }
}
