//! The differential oracle: httpwire's request parser and httparse 1.10 on
//! the same bytes.
//!
//! [`compare`] parses one input with both. Where both accept, method,
//! target, version, head length and every field must agree. Where they do
//! not give the same kind of answer (accept, reject, need more bytes), the
//! case must be one of the intended [`Difference`]s, each named with its
//! reason; anything else is a finding. Every difference has a test in
//! `tests/httparse_differences.rs`, which compiles this file as a module.

use httpwire::{Error, ErrorKind, Header, RequestParser, Status, Version};

/// Header slots for both parsers: httpwire's own limit is 100 fields, and
/// httparse refuses more fields than slots, so both stop at 100.
const SLOTS: usize = 100;

/// An intended difference between httpwire (strict profile) and httparse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difference {
    /// A line ended by LF alone: we reject it unless `allow_bare_lf` is set
    /// (strict profile rule 1, RFC 9112 §2.2 "MAY"); httparse accepts it.
    BareLf,
    /// `HTTP/1.2`–`HTTP/1.9`: we process it as HTTP/1.1 (RFC 9110 §2.5
    /// "SHOULD"); httparse accepts only `HTTP/1.0` and `HTTP/1.1`.
    HigherMinorVersion,
    /// An HTTP/1.1 request without Host: we reject (RFC 9112 §3.2 "MUST");
    /// httparse does not look at Host.
    MissingHost,
    /// More than one Host field (RFC 9112 §3.2 "MUST" 400).
    DuplicateHost,
    /// A Host value that is not `uri-host [":" port]` (RFC 9112 §3.2, RFC
    /// 9110 §7.2).
    InvalidHost,
    /// A target byte that RFC 3986 does not allow and httparse does:
    /// `"` `<` `>` `\` `^` `` ` `` `{` `|` `}` (RFC 9112 §3.2 "SHOULD" 400).
    TargetCharsStricter,
    /// A byte ≥ 0x80 (UTF-8) in the target: not an RFC 3986 character; httparse
    /// accepts any valid UTF-8 there.
    ObsTextInTarget,
    /// A `%` not followed by two hex digits (RFC 3986 §2.1).
    PercentEncoding,
    /// A `#` fragment in the target (RFC 9112 §3.2: the target never has one).
    TargetFragment,
    /// userinfo in an `http`/`https` absolute-form target (RFC 9110 §4.2.4
    /// "SHOULD" error).
    TargetUserinfo,
    /// A target that is none of the four forms, or whose form does not fit
    /// the method: authority-form without CONNECT, `*` without OPTIONS
    /// (RFC 9112 §3.2-§3.2.4). httparse takes any non-empty target.
    TargetForm,
    /// Content-Length / Transfer-Encoding rules (RFC 9112 §6.1-§6.3, strict
    /// profile rules 5-7; a CONNECT without content, RFC 9110 §9.3.6):
    /// httparse leaves framing to its caller.
    FramingRules,
    /// A declared Content-Length over our body limit (413, RFC 9110 §15.5.14).
    BodyTooLarge,
    /// Request-line over 8 KiB (414), field line over 8 KiB or head over
    /// 64 KiB (431): httparse has no size limits of its own.
    SizeLimits,
    /// A method over 64 bytes (501, RFC 9112 §3): httparse has no limit.
    MethodTooLong,
    /// More than 8 empty lines before the request-line: RFC 9112 §2.2 asks to
    /// ignore "at least one"; we bound it, httparse skips any number.
    EmptyLinesLimit,
    /// One parser rejects a prefix that the other still holds as partial;
    /// the same bytes with the head completed are rejected by both (or
    /// differ by another listed difference). Both reject most bad bytes as
    /// soon as they arrive; where the kind of our error depends on later
    /// bytes (whitespace after a field name waits for the colon or the line
    /// end; an HTTP-version for its last digit and line end) we wait for
    /// them, and httparse waits for a whole line in other places.
    DetectionTiming,
}

/// httpwire's answer, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ours {
    Complete(View),
    Partial,
    Error(Error),
}

/// httparse's answer, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Theirs {
    Complete(View),
    Partial,
    Error(httparse::Error),
}

/// The parts both parsers report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub method: Vec<u8>,
    pub target: Vec<u8>,
    /// The minor version: 0 or 1.
    pub minor: u8,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub head_len: usize,
}

/// Parses `buf` with httpwire (default limits).
pub fn ours(buf: &[u8], bare_lf: bool) -> Ours {
    let mut headers = [Header::EMPTY; SLOTS];
    match RequestParser::new()
        .allow_bare_lf(bare_lf)
        .parse(buf, &mut headers)
    {
        Ok(Status::Complete(r)) => Ours::Complete(View {
            method: r.method.as_bytes().to_vec(),
            target: r.target.as_bytes().to_vec(),
            minor: match r.version {
                Version::Http10 => 0,
                Version::Http11 => 1,
            },
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
                .collect(),
            head_len: r.head_len,
        }),
        Ok(Status::Partial) => Ours::Partial,
        Err(e) => Ours::Error(e),
    }
}

/// Parses `buf` with httparse (default configuration).
pub fn theirs(buf: &[u8]) -> Theirs {
    let mut headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => Theirs::Complete(View {
            method: req.method.unwrap_or("").as_bytes().to_vec(),
            target: req.path.unwrap_or("").as_bytes().to_vec(),
            minor: req.version.unwrap_or(9),
            headers: req
                .headers
                .iter()
                .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
                .collect(),
            head_len: len,
        }),
        Ok(httparse::Status::Partial) => Theirs::Partial,
        Err(e) => Theirs::Error(e),
    }
}

/// Compares the two parsers on `buf`: `Ok(None)` when they agree,
/// `Ok(Some(d))` for an intended difference, `Err` (a description) for a
/// finding.
pub fn compare(buf: &[u8], bare_lf: bool) -> Result<Option<Difference>, String> {
    compare_at(buf, bare_lf, true)
}

fn compare_at(buf: &[u8], bare_lf: bool, may_extend: bool) -> Result<Option<Difference>, String> {
    let (a, b) = (ours(buf, bare_lf), theirs(buf));
    let finding = |why: &str| Err(format!("{why}: ours {a:?}, httparse {b:?}"));
    match (&a, &b) {
        (Ours::Complete(x), Theirs::Complete(y)) => {
            if x == y {
                Ok(None)
            } else {
                finding("both accept but disagree")
            }
        }
        (Ours::Partial, Theirs::Partial) | (Ours::Error(_), Theirs::Error(_)) => Ok(None),
        (Ours::Error(e), Theirs::Complete(view)) => match we_reject(buf, *e, view, bare_lf) {
            Some(d) => Ok(Some(d)),
            None => finding("only httparse accepts"),
        },
        (Ours::Complete(_), Theirs::Error(httparse::Error::Version))
            if request_line_version(buf).is_some_and(is_higher_minor) =>
        {
            Ok(Some(Difference::HigherMinorVersion))
        }
        // httparse skips bare LFs and any number of empty lines while it
        // waits for a request-line: no completion helps, name it now.
        (Ours::Error(e), Theirs::Partial)
            if e.kind() == ErrorKind::BareLf && is_bare_lf(buf, *e) && !bare_lf =>
        {
            Ok(Some(Difference::BareLf))
        }
        (Ours::Error(e), Theirs::Partial) if e.kind() == ErrorKind::TooManyEmptyLines => {
            Ok(Some(Difference::EmptyLinesLimit))
        }
        (Ours::Partial, Theirs::Error(_)) | (Ours::Error(_), Theirs::Partial) if may_extend => {
            // Complete the head and look again: both must reject it then,
            // or differ in a listed way.
            let mut longer = buf.to_vec();
            if longer.ends_with(b"\r") {
                longer.extend_from_slice(b"\n\r\n");
            } else {
                longer.extend_from_slice(b"\r\n\r\n");
            }
            match compare_at(&longer, bare_lf, false) {
                Ok(None) if matches!(ours(&longer, bare_lf), Ours::Error(_)) => {
                    Ok(Some(Difference::DetectionTiming))
                }
                Ok(Some(d)) => Ok(Some(d)),
                Ok(None) => finding("prefix judged differently, completed head accepted by both"),
                Err(e) => Err(format!(
                    "{e} (after completing the head of {:?})",
                    Bytes(buf)
                )),
            }
        }
        _ => finding("only one accepts"),
    }
}

/// Why we reject what httparse accepted, if it is an intended difference.
fn we_reject(buf: &[u8], e: Error, view: &View, bare_lf: bool) -> Option<Difference> {
    use ErrorKind::*;
    let at = buf.get(e.offset()).copied();
    let host_count = view
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(b"host"))
        .count();
    let has_field = |name: &[u8]| {
        view.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    Some(match e.kind() {
        BareLf if is_bare_lf(buf, e) && !bare_lf => Difference::BareLf,
        MissingHost if host_count == 0 && view.minor == 1 => Difference::MissingHost,
        DuplicateHost if host_count > 1 => Difference::DuplicateHost,
        InvalidHost if host_count >= 1 => Difference::InvalidHost,
        InvalidTarget => match at {
            Some(0x80..=0xff) => Difference::ObsTextInTarget,
            Some(b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}') => {
                Difference::TargetCharsStricter
            }
            // The bytes are fine; the shape is not one of the four forms.
            _ => Difference::TargetForm,
        },
        InvalidPercentEncoding if at == Some(b'%') => Difference::PercentEncoding,
        TargetFragment if at == Some(b'#') => Difference::TargetFragment,
        TargetUserinfo if view.target.contains(&b'@') => Difference::TargetUserinfo,
        TargetFormMismatch => Difference::TargetForm,
        InvalidContentLength
        | ContentLengthOverflow
        | DuplicateContentLength
        | ContentLengthWithTransferEncoding
        | TransferEncodingInHttp10
        | InvalidTransferEncoding
        | TransferEncodingNotChunked
        | ChunkedAppliedTwice
        | ChunkedWithParameters
        | UnsupportedTransferCoding
        | ConnectWithBody
            if has_field(b"content-length") || has_field(b"transfer-encoding") =>
        {
            Difference::FramingRules
        }
        BodyTooLarge if has_field(b"content-length") => Difference::BodyTooLarge,
        RequestLineTooLong | HeaderLineTooLong | HeadTooLarge => Difference::SizeLimits,
        MethodTooLong if view.method.len() > 64 => Difference::MethodTooLong,
        TooManyEmptyLines => Difference::EmptyLinesLimit,
        _ => return None,
    })
}

/// Is the error's offset at an LF not preceded by CR?
fn is_bare_lf(buf: &[u8], e: Error) -> bool {
    let at = e.offset();
    buf.get(at) == Some(&b'\n') && (at == 0 || buf[at - 1] != b'\r')
}

/// The HTTP-version of the first request-line in `buf` (after empty lines).
fn request_line_version(buf: &[u8]) -> Option<&[u8]> {
    let mut rest = buf;
    loop {
        if let Some(r) = rest.strip_prefix(b"\r\n") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(b"\n") {
            rest = r;
        } else {
            break;
        }
    }
    let end = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let line = &rest[..end];
    let sp = line.iter().rposition(|&b| b == b' ')?;
    Some(&line[sp + 1..])
}

/// `HTTP/1.2` to `HTTP/1.9`.
fn is_higher_minor(v: &[u8]) -> bool {
    matches!(v, [b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'2'..=b'9'])
}

/// Bytes shown as an escaped string in messages.
pub struct Bytes<'a>(pub &'a [u8]);

impl std::fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}
