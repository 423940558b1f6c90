//! Helpers shared by the fuzz targets: owned copies of parse results (so runs
//! over differently split input can be compared), split plans, drivers that
//! feed a parser or decoder piece by piece, and the differential oracles
//! against httparse ([`differential`], also compiled into
//! `tests/httparse_differences.rs`), and the drivers of the sans-IO
//! connections ([`conn`], also compiled into
//! `tests/connection_properties.rs`).

pub mod conn;
pub mod differential;

pub use differential::Lenient;
use httpwire::{
    BodyDecoder, Decoded, ErrorKind, Framing, Header, Limits, Request, RequestParser, Response,
    ResponseParser, Status, TargetForm, Version,
};

/// Header slots given to the parser: more than `Limits::max_headers`, so the
/// limit that bites is the parser's own.
pub const SLOTS: usize = 128;

/// Small limits, so that inputs of a few hundred bytes reach every limit
/// check (the defaults need 8-64 KiB).
pub const SMALL: Limits = Limits {
    max_request_line: 48,
    max_method: 6,
    max_header_line: 40,
    max_head: 256,
    max_headers: 4,
    max_empty_lines: 2,
    max_body: 300,
    max_chunk_line: 24,
    max_chunk_extension: 12,
    max_trailers: 64,
};

/// An owned copy of a parsed request head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub target_form: TargetForm,
    pub version: Version,
    pub headers: Vec<(String, Vec<u8>)>,
    pub framing: Framing,
    pub head_len: usize,
}

/// An owned copy of a parsed response head, with its framing as the
/// answer to each of [`METHODS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    pub version: Version,
    pub status: u16,
    pub reason: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub head_len: usize,
    /// `Response::framing` for each method: framing and `close_after`, or
    /// the error's kind and offset.
    pub framing: Vec<Result<(Framing, bool), (ErrorKind, usize)>>,
}

/// The request methods a response head's framing is decided for: any,
/// and the two the rules single out (RULES RS-5, CN-2).
pub const METHODS: [&str; 3] = ["GET", "HEAD", "CONNECT"];

/// What one parse (whole, or the last call of a split run) ended with: a
/// request head by default, or a [`ResponseHead`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<H = Head> {
    Complete(H),
    Partial,
    Error(ErrorKind, usize),
}

/// Panics unless `part` lies inside `whole` (same allocation, in bounds).
pub fn assert_inside(part: &[u8], whole: &[u8], what: &str) {
    let (p, w) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    assert!(
        p >= w && p + part.len() <= w + whole.len(),
        "{what} is not a sub-slice of the input"
    );
}

impl Head {
    /// Copies `r`, first checking that every slice it borrows lies inside
    /// `buf` and that the head length is within it.
    pub fn of(r: &Request<'_, '_>, buf: &[u8]) -> Head {
        assert!(
            r.head_len > 0 && r.head_len <= buf.len(),
            "head_len out of range"
        );
        assert_inside(r.method.as_bytes(), &buf[..r.head_len], "method");
        assert_inside(r.target.as_bytes(), &buf[..r.head_len], "target");
        for h in r.headers {
            assert_inside(h.name.as_bytes(), &buf[..r.head_len], "field name");
            assert_inside(h.value, &buf[..r.head_len], "field value");
        }
        Head {
            method: r.method.to_owned(),
            target: r.target.to_owned(),
            target_form: r.target_form,
            version: r.version,
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
            framing: r.framing,
            head_len: r.head_len,
        }
    }
}

impl ResponseHead {
    /// Copies `r`, first checking what holds for every response head the
    /// parser accepts, whatever its leniencies: the head length is within
    /// `buf` and ends with a line end, every slice lies inside the head, the
    /// status is 100-999 (RULES RS-1), the reason holds no CTL but HTAB,
    /// every name is a token, and no unfolded piece of a value holds CR, LF
    /// or NUL.
    pub fn of(r: &Response<'_, '_>, buf: &[u8]) -> ResponseHead {
        assert!(
            r.head_len > 0 && r.head_len <= buf.len(),
            "head_len out of range"
        );
        let head = &buf[..r.head_len];
        assert_eq!(head.last(), Some(&b'\n'), "head does not end a line");
        assert!((100..=999).contains(&r.status), "status {}", r.status);
        assert_inside(r.reason, head, "reason");
        assert!(
            r.reason.iter().all(|&b| is_text(b)),
            "reason holds a control byte"
        );
        for h in r.headers {
            assert_inside(h.name.as_bytes(), head, "field name");
            assert_inside(h.value, head, "field value");
            assert!(
                !h.name.is_empty() && h.name.bytes().all(is_tchar),
                "field name {:?} is not a token",
                h.name
            );
            for piece in h.value_pieces() {
                assert!(
                    piece.iter().all(|&b| is_text(b)),
                    "value piece {:?} holds a control byte",
                    piece.escape_ascii().to_string()
                );
            }
        }
        let framing = METHODS
            .iter()
            .map(|&method| {
                let f = r.framing(method);
                check_framing(r, head, method, &f);
                f.map(|f| (f.framing, f.close_after))
                    .map_err(|e| (e.kind(), e.offset()))
            })
            .collect();
        ResponseHead {
            version: r.version,
            status: r.status,
            reason: r.reason.to_vec(),
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
            head_len: r.head_len,
            framing,
        }
    }
}

/// What RFC 9112 §6.3 fixes about a response's framing, checked apart from
/// `framing::decide_response` (the parser's framing leniencies are off):
/// 101 and a 2xx to CONNECT are a tunnel; HEAD, 1xx, 204 and 304 have no
/// body; a length is the one Content-Length's value; an error points at a
/// Content-Length or Transfer-Encoding field of this head.
fn check_framing(
    r: &Response<'_, '_>,
    head: &[u8],
    method: &str,
    f: &Result<httpwire::ResponseFraming, httpwire::Error>,
) {
    let is_framing_field = |h: &&Header<'_>| h.is("content-length") || h.is("transfer-encoding");
    let tunnel = r.status == 101 || (method == "CONNECT" && (200..300).contains(&r.status));
    let no_body =
        method == "HEAD" || (100..200).contains(&r.status) || r.status == 204 || r.status == 304;
    // Formatted only when an assertion fails (this runs for every complete
    // head, three times).
    let what = Lazy(|| format!("framing of {} for {method}: {f:?}", r.status));
    match f {
        Ok(f) if tunnel => assert_eq!(f.framing, Framing::Tunnel, "{what}"),
        Ok(f) if no_body => {
            assert_eq!((f.framing, f.close_after), (Framing::None, false), "{what}")
        }
        Ok(_) | Err(_) if tunnel || no_body => panic!("{what}"),
        Ok(f) => match f.framing {
            Framing::Length(n) => {
                let lengths: Vec<&Header<'_>> = r
                    .headers
                    .iter()
                    .filter(|h| h.is("content-length"))
                    .collect();
                assert_eq!(lengths.len(), 1, "{what}");
                let value = std::str::from_utf8(lengths[0].value).expect("ASCII digits");
                assert!(value.bytes().all(|b| b.is_ascii_digit()), "{what}");
                assert_eq!(value.parse::<u64>().ok(), Some(n), "{what}");
            }
            Framing::Chunked => {
                assert!(
                    r.headers.iter().any(|h| h.is("transfer-encoding")),
                    "{what}"
                )
            }
            Framing::CloseDelimited => assert!(f.close_after, "{what}"),
            Framing::None | Framing::Tunnel => panic!("{what}"),
        },
        Err(e) => {
            let at = e.offset();
            let name_at = |h: &&Header<'_>| h.name.as_ptr() as usize - head.as_ptr() as usize;
            assert!(
                r.headers
                    .iter()
                    .filter(is_framing_field)
                    .any(|h| name_at(&h) == at),
                "{what}: the offset is not a framing field's"
            );
        }
    }
}

/// A message built only when it is displayed (in a failed assertion).
struct Lazy<F>(F);

impl<F: Fn() -> String> std::fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}

/// A token character (RFC 9110 §5.6.2), checked independently of the parser.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// HTAB, SP, VCHAR or obs-text: the bytes of a reason phrase or a field
/// value (RFC 9112 §4, RFC 9110 §5.5).
pub fn is_text(b: u8) -> bool {
    b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80
}

/// A head parser the helpers drive, request or response, with the owned
/// copy of the head it yields.
pub trait Parse {
    type Head: Clone + std::fmt::Debug + PartialEq + Eq;
    /// One call on `buf`, its answer owned (the copy checks the borrowed
    /// slices lie in `buf`): `None` for `Partial`.
    fn step<'b>(
        &mut self,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
    ) -> Option<Outcome<Self::Head>>;
}

impl Parse for RequestParser {
    type Head = Head;
    fn step<'b>(&mut self, buf: &'b [u8], headers: &mut [Header<'b>]) -> Option<Outcome<Head>> {
        match self.parse(buf, headers) {
            Ok(Status::Complete(r)) => Some(Outcome::Complete(Head::of(&r, buf))),
            Ok(Status::Partial) => None,
            Err(e) => Some(Outcome::Error(e.kind(), e.offset())),
        }
    }
}

impl Parse for ResponseParser {
    type Head = ResponseHead;
    fn step<'b>(
        &mut self,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
    ) -> Option<Outcome<ResponseHead>> {
        match self.parse(buf, headers) {
            Ok(Status::Complete(r)) => Some(Outcome::Complete(ResponseHead::of(&r, buf))),
            Ok(Status::Partial) => None,
            Err(e) => Some(Outcome::Error(e.kind(), e.offset())),
        }
    }
}

/// Parses `buf` in one call.
pub fn parse_whole<P: Parse>(mut parser: P, buf: &[u8]) -> Outcome<P::Head> {
    let mut headers = [Header::EMPTY; SLOTS];
    parser.step(buf, &mut headers).unwrap_or(Outcome::Partial)
}

/// Parses the prefixes `buf[..end]` for each `end` in `ends` (increasing,
/// the last one `buf.len()`), as bytes arriving in pieces, and returns what
/// the first call that was not `Partial` returned.
///
/// With `fresh`, every call gets its own copy of the prefix (a new address,
/// as when a receive buffer grows) and a fresh header slice, so fields kept
/// from an earlier call would show. Without it, one header slice is reused
/// over prefixes of the same buffer (fast, for one-byte-at-a-time runs).
pub fn parse_pieces<P: Parse>(
    mut parser: P,
    buf: &[u8],
    ends: &[usize],
    fresh: bool,
) -> Outcome<P::Head> {
    let mut reused = [Header::EMPTY; SLOTS];
    for &end in ends {
        let result = if fresh {
            let copy = buf[..end].to_vec();
            let mut own = [Header::EMPTY; SLOTS];
            parser.step(&copy, &mut own)
        } else {
            parser.step(&buf[..end], &mut reused)
        };
        if let Some(outcome) = result {
            return outcome;
        }
    }
    Outcome::Partial
}

/// The check of the split targets (`parse_request_split`,
/// `parse_response_split`): `data` (a settings byte, a split plan and the
/// payload) parsed in pieces, or one byte at a time, by a parser `parser`
/// makes from the settings gives what it gives parsed whole.
pub fn check_splits<P: Parse>(data: &[u8], parser: fn(Settings) -> P) {
    let (marked, rest) = Settings::read(data);
    let settings = marked.unwrap_or(Settings::DEFAULT);
    let (ends, payload) = split_plan(rest);
    let whole = parse_whole(parser(settings), payload);
    if marked.is_none() || !settings.bytewise {
        let pieces = parse_pieces(parser(settings), payload, &ends, true);
        if !known_split_issue(&whole, &pieces) {
            assert_eq!(pieces, whole, "split at {ends:?} ({settings:?})");
        }
    }
    if marked.is_none() || settings.bytewise {
        let bytes = parse_pieces(parser(settings), payload, &bytewise(payload.len()), false);
        if !known_split_issue(&whole, &bytes) {
            assert_eq!(bytes, whole, "one byte at a time ({settings:?})");
        }
    }
}

/// Findings reported and waiting for a fix in `src/`, each with an ignored
/// regression test in `tests/fuzz_regressions.rs`: the split targets let
/// exactly their shapes pass, so that fuzzing (and CI) can go on finding
/// other bugs. Add an arm per open finding; remove it with the fix. None is
/// open: finding 1 (a line over a length limit ending in a bare LF, `BareLf`
/// whole but the limit error in pieces) was fixed in 72a55d7.
pub fn known_split_issue<H>(whole: &Outcome<H>, split: &Outcome<H>) -> bool {
    let _ = (whole, split);
    false
}

/// The configuration one execution of a configurable target runs
/// (`parse_request_split`, `parse_response`, `parse_response_split`,
/// `differential_httparse_response`), read from the input's first byte by
/// [`Settings::read`].
///
/// Bits of the settings byte (its top bit is the marker):
///
/// | bit | meaning |
/// |---|---|
/// | 0 | `bare_lf` (requests and responses) |
/// | 1 | `missing_reason_space` (responses) |
/// | 2 | `obs_fold` (responses) |
/// | 3 | `space_before_colon` (responses) |
/// | 4 | `ignore_invalid` (responses) |
/// | 5 | the small limits ([`SMALL`]); 4 fields instead of 100 in the differential |
/// | 6 | split targets: one byte at a time instead of the split schedule |
///
/// So every combination of the five leniencies (not only the seven of
/// [`Lenient::SETTINGS`]) with either limit set, whole or in either kind of
/// pieces, is one byte away for the fuzzer, and an input keeps its
/// configuration when the fuzzer mutates its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub lenient: Lenient,
    pub small: bool,
    pub bytewise: bool,
}

impl Settings {
    /// What input without a settings byte runs: strict, the default
    /// limits (the parser as a user gets it).
    pub const DEFAULT: Settings = Settings {
        lenient: Lenient::STRICT,
        small: false,
        bytewise: false,
    };

    /// The settings the low seven bits of `byte` select (table above).
    pub fn from_bits(byte: u8) -> Settings {
        let bit = |i: u8| byte & (1 << i) != 0;
        Settings {
            lenient: Lenient {
                bare_lf: bit(0),
                missing_reason_space: bit(1),
                obs_fold: bit(2),
                space_before_colon: bit(3),
                ignore_invalid: bit(4),
            },
            small: bit(5),
            bytewise: bit(6),
        }
    }

    /// Splits fuzz input into its settings and the rest.
    ///
    /// Input whose first byte is 0x80 or above (never the first byte of a
    /// request, a response or a file of `corpus/` or `fuzz/seeds/`) carries
    /// its settings in that byte, and the rest follows: `Some(settings)`.
    /// Any other input is all payload, parsed with [`Settings::DEFAULT`]:
    /// `None`, so that corpus files seed the targets as they are (the split
    /// targets then also run both kinds of pieces, see their docs).
    pub fn read(data: &[u8]) -> (Option<Settings>, &[u8]) {
        match data.split_first() {
            Some((&first, rest)) if first >= 0x80 => (Some(Settings::from_bits(first)), rest),
            _ => (None, data),
        }
    }

    /// The limits: [`SMALL`] or the defaults.
    pub fn limits(self) -> Limits {
        if self.small {
            SMALL
        } else {
            Limits::DEFAULT
        }
    }

    /// A request parser with these limits and bare LF setting (the only
    /// leniency requests have).
    pub fn request_parser(self) -> RequestParser {
        RequestParser::with_limits(self.limits()).allow_bare_lf(self.lenient.bare_lf)
    }

    /// A response parser with these limits and leniencies.
    pub fn response_parser(self) -> ResponseParser {
        self.lenient.parser(self.limits())
    }
}

/// Splits fuzz input into a split schedule and the payload.
///
/// Input starting with a byte `0xF0 | k` (never the first byte of a
/// request, a chunked body or a corpus file) carries `k` piece lengths in
/// the next `k` bytes, chosen by the fuzzer; the payload follows. Any other
/// input is all payload, so corpus files seed the targets as they are, and
/// the schedule is derived from the payload (cuts around CRs and LFs).
pub fn split_plan(data: &[u8]) -> (Vec<usize>, &[u8]) {
    if let Some(&first) = data.first() {
        if first >= 0xF0 {
            let k = usize::from(first & 0x0F).min(data.len() - 1);
            let lens = &data[1..1 + k];
            let payload = &data[1 + k..];
            let mut ends = Vec::with_capacity(k + 1);
            let mut end = 0usize;
            for &l in lens {
                end = (end + usize::from(l)).min(payload.len());
                ends.push(end);
            }
            ends.push(payload.len());
            return (ends, payload);
        }
    }
    // Cuts just before and after CRs and LFs: at most 16 of them, spread
    // over the input (each piece with a fresh copy costs a copy of the
    // prefix).
    let mut cuts = Vec::new();
    for (i, &b) in data.iter().enumerate() {
        if b == b'\r' || b == b'\n' {
            cuts.push(i);
            cuts.push(i + 1);
        }
    }
    let step = cuts.len().div_ceil(16).max(1);
    let mut ends: Vec<usize> = cuts.into_iter().step_by(step).collect();
    ends.push(data.len());
    ends.dedup();
    (ends, data)
}

/// Every prefix length from 0 to `len`: one byte at a time.
pub fn bytewise(len: usize) -> Vec<usize> {
    (0..=len).collect()
}

/// An owned copy of a decoder event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyEnd {
    /// `Done` after this many bytes of the body's input.
    Done(usize),
    /// The input ran out (`NeedMore`) after this many bytes were consumed.
    NeedMore(usize),
    Error(ErrorKind, usize),
}

/// What a body decoder produced from one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyRun {
    pub data: Vec<u8>,
    pub trailers: Vec<(String, Vec<u8>)>,
    pub end: BodyEnd,
}

/// Feeds `input` to `dec` in the pieces given by `ends` (increasing, the
/// last one `input.len()`), presenting the unconsumed bytes again with the
/// new ones, as a caller must. With `fresh`, each call gets them in a new
/// buffer (a new address); otherwise as a sub-slice of `input` (fast, for one
/// byte at a time). Checks on every call that the consumed count is within
/// the input presented, that data and trailers are sub-slices of the
/// consumed part, and that the decoder makes progress.
pub fn drive_body(dec: &mut BodyDecoder, input: &[u8], ends: &[usize], fresh: bool) -> BodyRun {
    let mut run = BodyRun {
        data: Vec::new(),
        trailers: Vec::new(),
        end: BodyEnd::NeedMore(0),
    };
    let mut pos = 0usize; // bytes of `input` consumed
    let mut budget = 4 * input.len() + 16;
    let mut copy = Vec::new();
    for &end in ends {
        loop {
            budget = budget.checked_sub(1).expect("decoder makes no progress");
            let pending = if fresh {
                copy = input[pos..end].to_vec();
                &copy[..]
            } else {
                &input[pos..end]
            };
            let (n, event) = match dec.decode(pending) {
                Ok(x) => x,
                Err(e) => {
                    run.end = BodyEnd::Error(e.kind(), e.offset());
                    return run;
                }
            };
            assert!(n <= pending.len(), "consumed more than the input");
            match event {
                Decoded::Data(d) => {
                    assert!(!d.is_empty(), "empty Data event");
                    assert_inside(d, &pending[..n], "Data");
                    run.data.extend_from_slice(d);
                }
                Decoded::Trailer(h) => {
                    assert!(n > 0, "Trailer consumed nothing");
                    assert_inside(h.name.as_bytes(), &pending[..n], "trailer name");
                    assert_inside(h.value, &pending[..n], "trailer value");
                    run.trailers.push((h.name.to_owned(), h.value.to_vec()));
                }
                Decoded::Done => {
                    assert!(dec.is_done(), "Done but not is_done");
                    run.end = BodyEnd::Done(pos + n);
                    return run;
                }
                Decoded::NeedMore => {
                    pos += n;
                    break;
                }
            }
            pos += n;
        }
    }
    drop(copy);
    run.end = BodyEnd::NeedMore(pos);
    run
}
