//! The intended differences between httpwire and httparse 1.10, one test
//! each: both parsers on a concrete input, asserting exactly the difference
//! (what each answers) and that the differential oracle of the fuzz target
//! `differential_httparse` names it. The oracle is compiled in from
//! `fuzz/src/differential.rs`, so the list the fuzzer accepts is the list
//! tested here. See FUZZING.md for the reasons.

#[allow(dead_code)]
#[path = "../fuzz/src/differential.rs"]
mod differential;

use differential::{compare, ours, theirs, Difference, Ours, Theirs};
use httpwire::ErrorKind;

/// We reject `input` with `kind`, httparse accepts it, and the oracle names
/// the difference `d`.
fn only_httparse_accepts(input: &[u8], kind: ErrorKind, d: Difference) {
    match ours(input, false) {
        Ours::Error(e) => assert_eq!(e.kind(), kind, "our error"),
        other => panic!("we should reject: {other:?}"),
    }
    assert!(
        matches!(theirs(input), Theirs::Complete(_)),
        "httparse should accept: {:?}",
        theirs(input)
    );
    assert_eq!(compare(input, false), Ok(Some(d)));
}

#[test]
fn agree_on_a_plain_request() {
    let input = b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-A:  v  \r\n\r\n";
    assert!(matches!(ours(input, false), Ours::Complete(_)));
    assert_eq!(compare(input, false), Ok(None));
    // Both reject, both wait: no difference either.
    assert_eq!(
        compare(b"GET / HTTP/1.1\r\nHost: a\r\nX\x01: v\r\n\r\n", false),
        Ok(None)
    );
    assert_eq!(compare(b"GET / HTTP/1.1\r\nHost: a\r\n", false), Ok(None));
}

#[test]
fn bare_lf() {
    let input = b"GET / HTTP/1.1\nHost: a\n\n";
    only_httparse_accepts(input, ErrorKind::BareLf, Difference::BareLf);
    // With allow_bare_lf the two agree.
    assert_eq!(compare(input, true), Ok(None));
    // A lone bare LF before the request-line: httparse skips it and waits.
    assert_eq!(theirs(b"\n"), Theirs::Partial);
    assert_eq!(compare(b"\n", false), Ok(Some(Difference::BareLf)));
}

#[test]
fn higher_minor_version() {
    let input = b"GET / HTTP/1.7\r\nHost: a\r\n\r\n";
    match ours(input, false) {
        Ours::Complete(v) => assert_eq!(v.minor, 1, "processed as HTTP/1.1"),
        other => panic!("we should accept: {other:?}"),
    }
    assert_eq!(theirs(input), Theirs::Error(httparse::Error::Version));
    assert_eq!(
        compare(input, false),
        Ok(Some(Difference::HigherMinorVersion))
    );
}

#[test]
fn missing_host() {
    only_httparse_accepts(
        b"GET / HTTP/1.1\r\nX: y\r\n\r\n",
        ErrorKind::MissingHost,
        Difference::MissingHost,
    );
    // HTTP/1.0 may omit Host: no difference.
    assert_eq!(compare(b"GET / HTTP/1.0\r\n\r\n", false), Ok(None));
}

#[test]
fn duplicate_host() {
    only_httparse_accepts(
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        ErrorKind::DuplicateHost,
        Difference::DuplicateHost,
    );
}

#[test]
fn invalid_host() {
    for input in [
        &b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: user@a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a,b\r\n\r\n",
    ] {
        only_httparse_accepts(input, ErrorKind::InvalidHost, Difference::InvalidHost);
    }
}

#[test]
fn target_chars_stricter() {
    for c in [b'"', b'<', b'>', b'\\', b'^', b'`', b'{', b'|', b'}'] {
        let input = [&b"GET /a"[..], &[c], b" HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
        only_httparse_accepts(
            &input,
            ErrorKind::InvalidTarget,
            Difference::TargetCharsStricter,
        );
    }
}

#[test]
fn obs_text_in_target() {
    only_httparse_accepts(
        "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n".as_bytes(),
        ErrorKind::InvalidTarget,
        Difference::ObsTextInTarget,
    );
}

#[test]
fn percent_encoding() {
    only_httparse_accepts(
        b"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::InvalidPercentEncoding,
        Difference::PercentEncoding,
    );
}

#[test]
fn target_fragment() {
    only_httparse_accepts(
        b"GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::TargetFragment,
        Difference::TargetFragment,
    );
}

#[test]
fn target_userinfo() {
    only_httparse_accepts(
        b"GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n",
        ErrorKind::TargetUserinfo,
        Difference::TargetUserinfo,
    );
}

#[test]
fn target_form() {
    only_httparse_accepts(
        b"GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::TargetFormMismatch,
        Difference::TargetForm,
    );
    only_httparse_accepts(
        b"GET h:443 HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::TargetFormMismatch,
        Difference::TargetForm,
    );
    only_httparse_accepts(
        b"GET echo/x HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::InvalidTarget,
        Difference::TargetForm,
    );
    // An absolute URI of any scheme is absolute-form (TG-2): both accept.
    for input in [
        &b"GET urn:isbn:123 HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET mailto:a@b HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        assert!(matches!(ours(input, false), Ours::Complete(_)));
        assert_eq!(compare(input, false), Ok(None));
    }
}

#[test]
fn framing_rules() {
    let cases: [(&[u8], ErrorKind); 7] = [
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::ContentLengthWithTransferEncoding,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            ErrorKind::DuplicateContentLength,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
            ErrorKind::InvalidContentLength,
        ),
        (
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::TransferEncodingInHttp10,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            ErrorKind::TransferEncodingNotChunked,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::ChunkedAppliedTwice,
        ),
        (
            b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\nContent-Length: 5\r\n\r\n",
            ErrorKind::ConnectWithBody,
        ),
    ];
    for (input, kind) in cases {
        only_httparse_accepts(input, kind, Difference::FramingRules);
    }
}

#[test]
fn body_too_large() {
    only_httparse_accepts(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8388609\r\n\r\n",
        ErrorKind::BodyTooLarge,
        Difference::BodyTooLarge,
    );
}

#[test]
fn size_limits() {
    let long_target = [
        &b"GET /"[..],
        &vec![b'a'; 8192][..],
        b" HTTP/1.1\r\nHost: a\r\n\r\n",
    ]
    .concat();
    only_httparse_accepts(
        &long_target,
        ErrorKind::RequestLineTooLong,
        Difference::SizeLimits,
    );
    let long_field = [
        &b"GET / HTTP/1.1\r\nHost: a\r\nX: "[..],
        &vec![b'v'; 8192][..],
        b"\r\n\r\n",
    ]
    .concat();
    only_httparse_accepts(
        &long_field,
        ErrorKind::HeaderLineTooLong,
        Difference::SizeLimits,
    );
    let mut big_head = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for _ in 0..9 {
        big_head.extend_from_slice(b"X: ");
        big_head.extend_from_slice(&[b'v'; 8000]);
        big_head.extend_from_slice(b"\r\n");
    }
    big_head.extend_from_slice(b"\r\n");
    only_httparse_accepts(&big_head, ErrorKind::HeadTooLarge, Difference::SizeLimits);
}

#[test]
fn method_too_long() {
    let input = [&vec![b'M'; 65][..], b" / HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
    only_httparse_accepts(&input, ErrorKind::MethodTooLong, Difference::MethodTooLong);
}

#[test]
fn empty_lines_limit() {
    let input = [&b"\r\n".repeat(9)[..], b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
    only_httparse_accepts(
        &input,
        ErrorKind::TooManyEmptyLines,
        Difference::EmptyLinesLimit,
    );
    // Eight are skipped by both.
    let eight = [&b"\r\n".repeat(8)[..], b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
    assert_eq!(compare(&eight, false), Ok(None));
    // Empty lines alone: httparse waits, we have seen too many.
    assert_eq!(theirs(&b"\r\n".repeat(9)), Theirs::Partial);
    assert_eq!(
        compare(&b"\r\n".repeat(9), false),
        Ok(Some(Difference::EmptyLinesLimit))
    );
}

#[test]
fn detection_timing() {
    // Both reject a control byte in a value as soon as it arrives.
    let prefix = b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01";
    assert!(
        matches!(ours(prefix, false), Ours::Error(e) if e.kind() == ErrorKind::InvalidHeaderValue)
    );
    assert_eq!(theirs(prefix), Theirs::Error(httparse::Error::HeaderValue));
    assert_eq!(compare(prefix, false), Ok(None));
    // Whitespace after a field name: httparse rejects it at once; we wait
    // for the colon or the line end, which decide the error's kind.
    let prefix = b"GET / HTTP/1.1\r\nHost ";
    assert_eq!(ours(prefix, false), Ours::Partial);
    assert_eq!(theirs(prefix), Theirs::Error(httparse::Error::HeaderName));
    assert_eq!(
        compare(prefix, false),
        Ok(Some(Difference::DetectionTiming))
    );
    // We refuse an overlong method before its line ends; httparse waits,
    // then rejects the line end where it wants a SP.
    let method = vec![b'M'; 70];
    assert!(matches!(ours(&method, false), Ours::Error(e) if e.kind() == ErrorKind::MethodTooLong));
    assert_eq!(theirs(&method), Theirs::Partial);
    assert_eq!(
        compare(&method, false),
        Ok(Some(Difference::DetectionTiming))
    );
    // The same method on a whole request-line, head not yet complete:
    // httparse accepts it once complete, so the difference is the limit.
    let line = [&method[..], b" / HTTP/1.1\r\nHost: a\r\n"].concat();
    assert!(matches!(ours(&line, false), Ours::Error(e) if e.kind() == ErrorKind::MethodTooLong));
    assert_eq!(theirs(&line), Theirs::Partial);
    assert_eq!(compare(&line, false), Ok(Some(Difference::MethodTooLong)));
}
