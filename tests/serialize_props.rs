//! Properties of the head serializers, checked against an independent
//! parser (httparse): valid heads read back field for field, and no input,
//! however hostile, produces bytes that parse to anything other than what
//! was given (no injected line, no response splitting).

use httpwire::serialize::{RequestHead, ResponseHead};
use httpwire::{EncodeError, Framing, Header, Version};
use proptest::prelude::*;

const TCHARS: &str = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

/// A token field name other than the two framing fields.
fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TCHARS}{{1,16}}"))
        .unwrap()
        .prop_filter("framing fields are written from Framing", |n| {
            !n.eq_ignore_ascii_case("content-length")
                && !n.eq_ignore_ascii_case("transfer-encoding")
        })
        // A request's Host is placed by the test that needs it (one, valid).
        .prop_filter("Host is added where a request needs it", |n| {
            !n.eq_ignore_ascii_case("host")
        })
}

/// A byte allowed inside a field value: HTAB, SP, VCHAR, obs-text, with the
/// whitespace and obs-text ends weighted up.
fn value_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => 0x21u8..=0x7e,
        2 => 0x80u8..=0xff,
        1 => Just(b' '),
        1 => Just(b'\t'),
    ]
}

/// A valid field value: no leading or trailing whitespace, may be empty.
fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(value_byte(), 0..24).prop_map(|v| {
        let ws = |b: &u8| *b == b' ' || *b == b'\t';
        let start = v.iter().position(|b| !ws(b)).unwrap_or(v.len());
        let end = v.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
        v[start..end].to_vec()
    })
}

fn fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    proptest::collection::vec((name(), value()), 0..8)
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        Just(Framing::None),
        any::<u64>().prop_map(Framing::Length),
        (0u64..1000).prop_map(Framing::Length),
        Just(Framing::Chunked),
        Just(Framing::CloseDelimited),
        Just(Framing::Tunnel),
    ]
}

/// A valid reason, or `None` for the default: HTAB, SP, VCHAR and any
/// non-ASCII character (whose UTF-8 bytes are all obs-text).
fn reason() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(
        proptest::string::string_regex("[\\t\\x20-\\x7e\\x{80}-\\x{10ffff}]{0,24}").unwrap(),
    )
}

/// A status with a framing it may carry (SR-4): none for 1xx and 204, no
/// chunked or close-delimited body for 304, no body for 205, a tunnel only
/// after 101 or a 2xx.
fn status_and_framing() -> impl Strategy<Value = (u16, Framing)> {
    (100u16..=999, framing()).prop_map(|(status, framing)| {
        use Framing::*;
        let framing = match (status, framing) {
            (101 | 200..=299, Tunnel) => Tunnel,
            (_, Tunnel)
            | (100..=199 | 204, _)
            | (304, Chunked | CloseDelimited)
            | (205, Length(1..) | Chunked | CloseDelimited) => None,
            _ => framing,
        };
        (status, framing)
    })
}

fn as_headers(fields: &[(String, Vec<u8>)]) -> Vec<Header<'_>> {
    fields
        .iter()
        .map(|(name, value)| Header { name, value })
        .collect()
}

/// The field line the serializer adds for `framing`, as httparse reports it.
fn framing_field(framing: Framing) -> Option<(&'static str, Vec<u8>)> {
    match framing {
        Framing::None | Framing::CloseDelimited | Framing::Tunnel => None,
        Framing::Length(n) => Some(("Content-Length", n.to_string().into_bytes())),
        Framing::Chunked => Some(("Transfer-Encoding", b"chunked".to_vec())),
    }
}

/// Every field httparse read equals the given fields plus the framing field,
/// in order.
fn check_fields(
    parsed: &[httparse::Header<'_>],
    given: &[Header<'_>],
    framing: Framing,
) -> Result<(), TestCaseError> {
    let mut expected: Vec<(&str, Vec<u8>)> =
        given.iter().map(|h| (h.name, h.value.to_vec())).collect();
    expected.extend(framing_field(framing));
    prop_assert_eq!(parsed.len(), expected.len());
    for (p, (name, value)) in parsed.iter().zip(&expected) {
        prop_assert_eq!(p.name, *name);
        prop_assert_eq!(p.value, &value[..]);
    }
    Ok(())
}

/// Encodes with a buffer of exactly `encoded_len` bytes, checking that one
/// byte less reports that length.
fn encode_exact(
    len: Result<usize, EncodeError>,
    encode: impl Fn(&mut [u8]) -> Result<usize, EncodeError>,
) -> Result<Result<Vec<u8>, EncodeError>, TestCaseError> {
    let mut big = vec![0u8; 4096];
    let result = encode(&mut big);
    match (len, result) {
        (Ok(len), Ok(n)) => {
            prop_assert_eq!(len, n);
            let mut exact = vec![0u8; n];
            prop_assert_eq!(encode(&mut exact), Ok(n));
            prop_assert_eq!(&exact[..], &big[..n]);
            prop_assert_eq!(
                encode(&mut exact[..n - 1]),
                Err(EncodeError::BufferTooSmall { needed: n })
            );
            Ok(Ok(exact))
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b);
            Ok(Err(b))
        }
        (len, result) => Err(TestCaseError::fail(format!(
            "encoded_len {len:?} disagrees with encode {result:?}"
        ))),
    }
}

/// Checks `bytes` as a response head with httparse against what was given.
fn check_response(
    bytes: &[u8],
    status: u16,
    reason: &str,
    given: &[Header<'_>],
    framing: Framing,
) -> Result<(), TestCaseError> {
    let mut parsed = [httparse::EMPTY_HEADER; 32];
    let mut res = httparse::Response::new(&mut parsed);
    let n = res.parse(bytes);
    prop_assert_eq!(
        n,
        Ok(httparse::Status::Complete(bytes.len())),
        "{:?}",
        bytes
    );
    prop_assert_eq!(res.version, Some(1));
    prop_assert_eq!(res.code, Some(status));
    // The status-line byte for byte; httparse reports a reason with
    // obs-text as "", so compare it only when it is ASCII.
    let line = format!("HTTP/1.1 {status} {reason}\r\n");
    prop_assert!(bytes.starts_with(line.as_bytes()));
    if reason.is_ascii() {
        prop_assert_eq!(res.reason, Some(reason));
    }
    check_fields(res.headers, given, framing)
}

fn check_request(
    bytes: &[u8],
    method: &str,
    target: &str,
    version: Version,
    given: &[Header<'_>],
    framing: Framing,
) -> Result<(), TestCaseError> {
    let mut parsed = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut parsed);
    let n = req.parse(bytes);
    prop_assert_eq!(
        n,
        Ok(httparse::Status::Complete(bytes.len())),
        "{:?}",
        bytes
    );
    prop_assert_eq!(req.method, Some(method));
    prop_assert_eq!(req.path, Some(target));
    prop_assert_eq!(
        req.version,
        Some(if version == Version::Http10 { 0 } else { 1 })
    );
    check_fields(req.headers, given, framing)
}

/// A valid request: method, target of a form that fits it, version and a
/// framing it may carry.
fn request_line() -> impl Strategy<Value = (String, String, Version)> {
    let pchar = "([-A-Za-z0-9._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
    let origin = proptest::string::string_regex(&format!(
        "(/{pchar}{{0,6}}){{1,4}}(\\?({pchar}|[/?]){{0,12}})?"
    ))
    .unwrap();
    let absolute = proptest::string::string_regex(&format!(
        "[a-z][a-z0-9+.-]{{0,5}}://([a-z0-9.-]{{1,12}}|\\[[0-9a-f]{{1,4}}(:[0-9a-f]{{0,4}}){{2,7}}\\])(:[0-9]{{1,5}})?(/{pchar}{{0,6}}){{0,3}}"
    ))
    .unwrap();
    let authority = proptest::string::string_regex(
        "([a-z0-9.-]{1,12}|\\[[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}\\]):[0-9]{1,5}",
    )
    .unwrap();
    let method = || {
        proptest::string::string_regex(&format!("{TCHARS}{{1,10}}"))
            .unwrap()
            .prop_filter("CONNECT needs authority-form", |m| m != "CONNECT")
    };
    let version = prop_oneof![Just(Version::Http10), Just(Version::Http11)];
    prop_oneof![
        4 => (method(), origin, version.clone()),
        2 => (method(), absolute, version.clone()),
        1 => (Just("CONNECT".to_string()), authority, version.clone()),
        1 => (Just("OPTIONS".to_string()), Just("*".to_string()), version),
    ]
}

/// Bytes weighted towards the ones that could split a message.
fn hostile_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => any::<u8>(),
        3 => 0x21u8..=0x7e,
        1 => prop::sample::select(vec![b'\r', b'\n', 0, b'\t', b' ', b':', 0x7f, 0x80, 0xff, 0x0b]),
    ]
}

fn hostile_string(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex(&format!("{TCHARS}{{0,{max}}}")).unwrap(),
        proptest::collection::vec(hostile_byte(), 0..max)
            .prop_map(|v| String::from_utf8_lossy(&v).into_owned()),
        proptest::string::string_regex(&format!("[\\x00-\\x7f\\x{{80}}-\\x{{10ffff}}]{{0,{max}}}"))
            .unwrap(),
    ]
}

/// Fields that are mostly valid, so that a head often encodes, mixed with
/// arbitrary names and values and the two framing fields.
fn hostile_fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let hostile_name = prop_oneof![
        3 => hostile_string(12),
        1 => prop::sample::select(vec!["Content-Length", "transfer-encoding", "Host"])
            .prop_map(str::to_string),
    ];
    let hostile_value = prop_oneof![
        2 => proptest::collection::vec(hostile_byte(), 0..16),
        1 => Just(b"x\r\nInjected: 1".to_vec()),
    ];
    let field = prop_oneof![
        6 => (name(), value()),
        1 => (hostile_name, value()),
        1 => (name(), hostile_value),
    ];
    proptest::collection::vec(field, 0..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Valid response heads read back identically.
    #[test]
    fn valid_responses_round_trip(
        (status, framing) in status_and_framing(),
        reason in reason(),
        fields in fields(),
    ) {
        let headers = as_headers(&fields);
        let head = ResponseHead { status, reason: reason.as_deref(), headers: &headers, framing };
        let bytes = encode_exact(head.encoded_len(), |out| head.encode(out))?
            .map_err(|e| TestCaseError::fail(format!("valid head refused: {e:?}")))?;
        let expected_reason = reason
            .as_deref()
            .unwrap_or_else(|| httpwire::serialize::reason_phrase(status).unwrap_or(""));
        check_response(&bytes, status, expected_reason, &headers, framing)?;
    }

    /// Valid request heads read back identically.
    #[test]
    fn valid_requests_round_trip(
        (method, target, version) in request_line(),
        fields in fields(),
        framing in framing(),
        host_at in 0usize..8,
    ) {
        // No chunked to HTTP/1.0 (SR-7), no response-only framing.
        let framing = match (version, framing) {
            (Version::Http10, Framing::Chunked)
            | (_, Framing::CloseDelimited | Framing::Tunnel) => Framing::None,
            (_, framing) => framing,
        };
        let mut headers = as_headers(&fields);
        headers.insert(host_at.min(headers.len()), Header { name: "Host", value: b"example.com:8080" });
        let head = RequestHead { method: &method, target: &target, version, headers: &headers, framing };
        let bytes = encode_exact(head.encoded_len(), |out| head.encode(out))?
            .map_err(|e| TestCaseError::fail(format!("valid head refused: {e:?}")))?;
        check_request(&bytes, &method, &target, version, &headers, framing)?;
    }

    /// Arbitrary statuses, reasons, names and values: either an error, or
    /// bytes that parse back to exactly what was given, so nothing was
    /// injected.
    #[test]
    fn hostile_responses_error_or_round_trip(
        status in prop_oneof![any::<u16>(), 100u16..=999],
        reason in proptest::option::of(hostile_string(16)),
        fields in hostile_fields(),
        framing in framing(),
    ) {
        let headers = as_headers(&fields);
        let head = ResponseHead { status, reason: reason.as_deref(), headers: &headers, framing };
        if let Ok(bytes) = encode_exact(head.encoded_len(), |out| head.encode(out))? {
            let expected_reason = reason
                .as_deref()
                .unwrap_or_else(|| httpwire::serialize::reason_phrase(status).unwrap_or(""));
            check_response(&bytes, status, expected_reason, &headers, framing)?;
        }
    }

    /// Arbitrary methods, targets, names and values in requests: either an
    /// error, or bytes that parse back to exactly what was given.
    #[test]
    fn hostile_requests_error_or_round_trip(
        (valid_method, valid_target, version) in request_line(),
        method in proptest::option::weighted(0.3, prop_oneof![
            hostile_string(8),
            Just("GET".to_string()),
            Just("CONNECT".to_string()),
        ]),
        target in proptest::option::weighted(0.4, prop_oneof![
            hostile_string(16),
            hostile_string(16).prop_map(|t| format!("/{t}")),
            hostile_string(16).prop_map(|t| format!("http://{t}")),
            hostile_string(16).prop_map(|t| format!("{t}:443")),
        ]),
        fields in hostile_fields(),
        framing in framing(),
    ) {
        let method = method.unwrap_or(valid_method);
        let target = target.unwrap_or(valid_target);
        let headers = as_headers(&fields);
        let head = RequestHead { method: &method, target: &target, version, headers: &headers, framing };
        if let Ok(bytes) = encode_exact(head.encoded_len(), |out| head.encode(out))? {
            check_request(&bytes, &method, &target, version, &headers, framing)?;
        }
    }

    /// `write_to` writes exactly what `encode` does, and refuses exactly
    /// what `encode` refuses, writing nothing.
    #[test]
    fn write_to_matches_encode(
        status in prop_oneof![any::<u16>(), 100u16..=999],
        reason in proptest::option::of(hostile_string(16)),
        fields in prop_oneof![fields(), hostile_fields()],
        big in proptest::collection::vec(value_byte(), 0..3000),
        framing in framing(),
        (method, target, version) in request_line(),
    ) {
        // One field may be larger than write_to's stack buffer.
        let mut fields = fields;
        if let (Some(&first), Some(&last)) = (big.first(), big.last()) {
            if first > b' ' && last > b' ' {
                fields.push(("X-Big".to_string(), big));
            }
        }
        let headers = as_headers(&fields);
        let resp = ResponseHead { status, reason: reason.as_deref(), headers: &headers, framing };
        let mut buf = vec![0u8; 8192];
        let mut out = Vec::new();
        match (resp.encode(&mut buf), resp.write_to(&mut out)) {
            (Ok(n), Ok(())) => prop_assert_eq!(&out[..], &buf[..n]),
            (Err(a), Err(b)) => {
                prop_assert_eq!(b.kind(), std::io::ErrorKind::InvalidInput);
                prop_assert_eq!(b.get_ref().and_then(|e| e.downcast_ref::<EncodeError>()), Some(&a));
                prop_assert!(out.is_empty());
            }
            (a, b) => return Err(TestCaseError::fail(format!("encode {a:?}, write_to {b:?}"))),
        }
        let req = RequestHead { method: &method, target: &target, version, headers: &headers, framing };
        let mut out = Vec::new();
        match (req.encode(&mut buf), req.write_to(&mut out)) {
            (Ok(n), Ok(())) => prop_assert_eq!(&out[..], &buf[..n]),
            (Err(a), Err(b)) => {
                prop_assert_eq!(b.get_ref().and_then(|e| e.downcast_ref::<EncodeError>()), Some(&a));
                prop_assert!(out.is_empty());
            }
            (a, b) => return Err(TestCaseError::fail(format!("encode {a:?}, write_to {b:?}"))),
        }
    }
}
