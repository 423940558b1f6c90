//! The intended differences between httpwire and httparse 1.10, one test
//! each: both parsers on a concrete input, asserting exactly the difference
//! (what each answers) and that the differential oracle of the fuzz targets
//! `differential_httparse` (requests) and `differential_httparse_response`
//! names it. The oracle is compiled in from
//! `fuzz/src/differential.rs`, so the list the fuzzer accepts is the list
//! tested here. See FUZZING.md for the reasons.

#[allow(dead_code)]
#[path = "../fuzz/src/differential.rs"]
mod differential;

use differential::{
    compare, compare_response, known_response_issue, ours, ours_response, theirs, theirs_response,
    Difference, Lenient, Ours, Theirs,
};
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

// Responses. `compare_response` runs both with the same leniencies (httparse
// with its matching switches) and at most 100 fields, as the fuzz target does.

const FIELDS: usize = 100;

fn with(f: impl FnOnce(&mut Lenient)) -> Lenient {
    let mut lenient = Lenient::STRICT;
    f(&mut lenient);
    lenient
}

/// We reject the response `input` with `kind` under `lenient`, httparse
/// accepts it, and the oracle names the difference `d`.
fn only_httparse_accepts_response(input: &[u8], lenient: Lenient, kind: ErrorKind, d: Difference) {
    match ours_response(input, lenient, FIELDS) {
        Ours::Error(e) => assert_eq!(e.kind(), kind, "our error"),
        other => panic!("we should reject: {other:?}"),
    }
    assert!(
        matches!(theirs_response(input, lenient, FIELDS), Theirs::Complete(_)),
        "httparse should accept: {:?}",
        theirs_response(input, lenient, FIELDS)
    );
    assert_eq!(compare_response(input, lenient, FIELDS), Ok(Some(d)));
}

#[test]
fn agree_on_plain_responses() {
    let input = b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  v  \r\n\r\nhello";
    for lenient in Lenient::SETTINGS {
        assert!(matches!(
            ours_response(input, lenient, FIELDS),
            Ours::Complete(_)
        ));
        assert_eq!(compare_response(input, lenient, FIELDS), Ok(None));
    }
    // An obs-text reason: httparse reports "", we report the bytes.
    let input = b"HTTP/1.0 404 Nicht gefunden \xfc\r\n\r\n";
    match (
        ours_response(input, Lenient::STRICT, FIELDS),
        theirs_response(input, Lenient::STRICT, FIELDS),
    ) {
        (Ours::Complete(a), Theirs::Complete(b)) => {
            assert_eq!(a.reason, b"Nicht gefunden \xfc");
            assert_eq!(b.reason, b"");
        }
        other => panic!("both should accept: {other:?}"),
    }
    assert_eq!(compare_response(input, Lenient::STRICT, FIELDS), Ok(None));
    // With obs-fold on both sides the unfolded values agree, although the
    // raw slices differ (httparse trims a trailing whitespace-only line).
    let input = b"HTTP/1.1 200 OK\r\nA: b,\r\n \t c\r\n \r\nD:\r\n e\r\n\r\n";
    let fold = with(|l| l.obs_fold = true);
    assert_eq!(compare_response(input, fold, FIELDS), Ok(None));
    // Whitespace before the colon, invalid lines: the same fields.
    let input = b"HTTP/1.1 200 OK\r\nA \t: b\r\nC@: x\r\nNoColon\r\nD: e\r\n\r\n";
    let both = with(|l| {
        l.space_before_colon = true;
        l.ignore_invalid = true;
    });
    match ours_response(input, both, FIELDS) {
        Ours::Complete(v) => assert_eq!(
            v.headers,
            [
                (b"A".to_vec(), b"b".to_vec()),
                (b"D".to_vec(), b"e".to_vec())
            ]
        ),
        other => panic!("we should accept: {other:?}"),
    }
    assert_eq!(compare_response(input, both, FIELDS), Ok(None));
    // Both reject, both wait.
    let ctl = b"HTTP/1.1 200 OK\r\nX: \x01\r\n\r\n";
    assert_eq!(compare_response(ctl, Lenient::STRICT, FIELDS), Ok(None));
    let partial = b"HTTP/1.1 200 OK\r\nX: y\r\n";
    assert_eq!(compare_response(partial, Lenient::ALL, FIELDS), Ok(None));
}

#[test]
fn bare_lf_response() {
    let input = b"HTTP/1.1 200 OK\nContent-Length: 0\n\n";
    only_httparse_accepts_response(
        input,
        Lenient::STRICT,
        ErrorKind::BareLf,
        Difference::BareLf,
    );
    let bare_lf = with(|l| l.bare_lf = true);
    assert_eq!(compare_response(input, bare_lf, FIELDS), Ok(None));
    // Bare LFs before the status-line: httparse skips them and waits.
    assert_eq!(
        theirs_response(b"\n", Lenient::STRICT, FIELDS),
        Theirs::Partial
    );
    assert_eq!(
        compare_response(b"\n", Lenient::STRICT, FIELDS),
        Ok(Some(Difference::BareLf))
    );
}

#[test]
fn missing_reason_space() {
    let input = b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
    only_httparse_accepts_response(
        input,
        Lenient::STRICT,
        ErrorKind::InvalidStatusLine,
        Difference::MissingReasonSpace,
    );
    // With bare LF allowed too, the status-line's bare LF is not the reason.
    only_httparse_accepts_response(
        b"HTTP/1.1 200\nContent-Length: 0\n\n",
        with(|l| l.bare_lf = true),
        ErrorKind::InvalidStatusLine,
        Difference::MissingReasonSpace,
    );
    let lenient = with(|l| l.missing_reason_space = true);
    assert_eq!(compare_response(input, lenient, FIELDS), Ok(None));
}

#[test]
fn status_code_below_100() {
    for code in ["000", "099", "042"] {
        let input = format!("HTTP/1.1 {code} Low\r\n\r\n");
        only_httparse_accepts_response(
            input.as_bytes(),
            Lenient::STRICT,
            ErrorKind::InvalidStatusCode,
            Difference::StatusCodeBelow100,
        );
    }
    // We refuse the leading 0 when it arrives; httparse waits for three
    // digits (and accepts them, with no SP needed after them), or rejects
    // the line end where it wants a digit.
    let prefix = b"HTTP/1.1 099";
    assert!(matches!(
        ours_response(prefix, Lenient::STRICT, FIELDS),
        Ours::Error(e) if e.kind() == ErrorKind::InvalidStatusCode
    ));
    assert_eq!(
        theirs_response(prefix, Lenient::STRICT, FIELDS),
        Theirs::Partial
    );
    assert_eq!(
        compare_response(prefix, Lenient::STRICT, FIELDS),
        Ok(Some(Difference::StatusCodeBelow100))
    );
    assert_eq!(
        compare_response(b"HTTP/1.1 0", Lenient::STRICT, FIELDS),
        Ok(Some(Difference::DetectionTiming))
    );
}

#[test]
fn higher_minor_version_response() {
    let input = b"HTTP/1.4 200 OK\r\n\r\n";
    match ours_response(input, Lenient::STRICT, FIELDS) {
        Ours::Complete(v) => assert_eq!(v.minor, 1, "processed as HTTP/1.1"),
        other => panic!("we should accept: {other:?}"),
    }
    assert_eq!(
        theirs_response(input, Lenient::STRICT, FIELDS),
        Theirs::Error(httparse::Error::Version)
    );
    assert_eq!(
        compare_response(input, Lenient::STRICT, FIELDS),
        Ok(Some(Difference::HigherMinorVersion))
    );
}

#[test]
fn folded_framing_field() {
    let fold = with(|l| l.obs_fold = true);
    for input in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip,\r\n\tchunked\r\n\r\n",
        // A whitespace-only fold, which httparse trims away.
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n \r\n\r\n",
    ] {
        only_httparse_accepts_response(
            input,
            fold,
            ErrorKind::ObsFold,
            Difference::FoldedFramingField,
        );
    }
    // Any other field folds alike on both sides.
    let other = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\n";
    assert_eq!(compare_response(other, fold, FIELDS), Ok(None));
}

#[test]
fn nul_in_skipped_line() {
    let ignore = with(|l| l.ignore_invalid = true);
    for input in [
        &b"HTTP/1.1 200 OK\r\nBad@: \x00\r\nA: b\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nA: b\r\n\r\n",
    ] {
        match ours_response(input, ignore, FIELDS) {
            Ours::Complete(v) => assert_eq!(v.headers, [(b"A".to_vec(), b"b".to_vec())]),
            other => panic!("we should skip the line: {other:?}"),
        }
        assert!(matches!(
            theirs_response(input, ignore, FIELDS),
            Theirs::Error(httparse::Error::HeaderName | httparse::Error::HeaderValue)
        ));
        assert_eq!(
            compare_response(input, ignore, FIELDS),
            Ok(Some(Difference::NulInSkippedLine))
        );
    }
    // Without the leniency both reject.
    let input = b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n";
    assert_eq!(compare_response(input, Lenient::STRICT, FIELDS), Ok(None));
}

#[test]
fn size_limits_response() {
    let long_reason = [&b"HTTP/1.1 200 "[..], &vec![b'r'; 8192][..], b"\r\n\r\n"].concat();
    only_httparse_accepts_response(
        &long_reason,
        Lenient::STRICT,
        ErrorKind::StatusLineTooLong,
        Difference::SizeLimits,
    );
    let long_field = [
        &b"HTTP/1.1 200 OK\r\nX: "[..],
        &vec![b'v'; 8192][..],
        b"\r\n\r\n",
    ]
    .concat();
    only_httparse_accepts_response(
        &long_field,
        Lenient::ALL,
        ErrorKind::HeaderLineTooLong,
        Difference::SizeLimits,
    );
}

#[test]
fn empty_lines_limit_response() {
    let input = [&b"\r\n".repeat(9)[..], b"HTTP/1.1 200 OK\r\n\r\n"].concat();
    only_httparse_accepts_response(
        &input,
        Lenient::STRICT,
        ErrorKind::TooManyEmptyLines,
        Difference::EmptyLinesLimit,
    );
}

#[test]
fn detection_timing_response() {
    // Whitespace after a field name: httparse rejects it at once; we wait
    // for the colon or the line end.
    let prefix = b"HTTP/1.1 200 OK\r\nServer ";
    assert_eq!(
        ours_response(prefix, Lenient::STRICT, FIELDS),
        Ours::Partial
    );
    assert_eq!(
        theirs_response(prefix, Lenient::STRICT, FIELDS),
        Theirs::Error(httparse::Error::HeaderName)
    );
    assert_eq!(
        compare_response(prefix, Lenient::STRICT, FIELDS),
        Ok(Some(Difference::DetectionTiming))
    );
    // One field too many: we refuse it at its first byte, httparse once
    // its line is complete.
    let prefix = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC";
    assert!(matches!(
        ours_response(prefix, Lenient::STRICT, 2),
        Ours::Error(e) if e.kind() == ErrorKind::TooManyHeaders
    ));
    assert_eq!(theirs_response(prefix, Lenient::STRICT, 2), Theirs::Partial);
    assert_eq!(
        compare_response(prefix, Lenient::STRICT, 2),
        Ok(Some(Difference::DetectionTiming))
    );
}

/// Finding 6 (FUZZING.md; fixed, its test is in `tests/fuzz_regressions.rs`):
/// its shape now agrees with httparse, and the oracle tolerates nothing.
#[test]
fn known_response_issue_shape() {
    let both = with(|l| {
        l.obs_fold = true;
        l.ignore_invalid = true;
    });
    let input = b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n \x01\r\n\r\n";
    assert_eq!(compare_response(input, both, 1), Ok(None));
    assert!(!known_response_issue(input, both, 1));
    // A valid second field is one too many for both: nothing to tolerate.
    let input = b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n e\r\n\r\n";
    assert_eq!(compare_response(input, both, 1), Ok(None));
    assert!(!known_response_issue(input, both, 1));
    // Nor without both leniencies.
    let fold = with(|l| l.obs_fold = true);
    assert!(!known_response_issue(input, fold, 1));
}
