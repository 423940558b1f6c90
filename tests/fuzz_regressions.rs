//! Regression cases found by fuzzing (see FUZZING.md). Each test is the
//! minimal reproducer of one finding; a test marked `#[ignore]` fails today
//! and waits for its fix in `src/` (run them with `cargo test --test
//! fuzz_regressions -- --ignored`). The same bytes are in
//! `corpus/regressions/`, so every fuzz target is seeded with them.

use httpwire::{Error, ErrorKind, Header, Limits, RequestParser, ResponseParser, Status};

/// What a parse ended with, owned: `Ok(Some(head_len))`, `Ok(None)` for
/// partial, or the error.
type Outcome = Result<Option<usize>, Error>;

fn whole(parser: RequestParser, buf: &[u8]) -> Outcome {
    let mut headers = [Header::EMPTY; 128];
    parser
        .clone()
        .parse(buf, &mut headers)
        .map(|s| s.complete().map(|r| r.head_len))
}

/// Feeds `buf[..end]` for each `end` in `ends`, then the whole of `buf`,
/// and returns what the first call that was not `Partial` returned.
fn pieces(mut parser: RequestParser, buf: &[u8], ends: &[usize]) -> Outcome {
    for &end in ends.iter().chain([&buf.len()]) {
        let copy = buf[..end].to_vec();
        let mut headers = [Header::EMPTY; 128];
        match parser.parse(&copy, &mut headers) {
            Ok(Status::Partial) => {}
            other => return other.map(|s| s.complete().map(|r| r.head_len)),
        }
    }
    Ok(None)
}

fn corpus(name: &str) -> Vec<u8> {
    let path = format!("{}/corpus/regressions/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Finding 1 (parse_request_split; fixed by judging a line's limits before
/// its bare LF, as a byte-at-a-time reader does): a method over the limit on a request-line
/// that ends in a bare LF. Whole, the bare LF is judged first (`BareLf`); in
/// two pieces, the partial line already breaks the method limit
/// (`MethodTooLong`). The result must not depend on the split; the earlier
/// offset (the method limit) is the one a byte-at-a-time reader sees.
#[test]
fn limit_before_bare_lf_does_not_depend_on_split() {
    let buf = corpus("split_limit_before_bare_lf");
    assert_eq!(&buf[..4], b"AAAA");
    let parser = RequestParser::new();
    let method_end = buf.iter().position(|&b| b == b' ').unwrap();
    assert_eq!(
        pieces(parser.clone(), &buf, &[method_end]),
        whole(parser, &buf)
    );
}

/// Finding 1, the same for a field line over the line limit.
#[test]
fn field_line_limit_before_bare_lf_does_not_depend_on_split() {
    let mut buf = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    buf.resize(buf.len() + Limits::DEFAULT.max_header_line, b'v');
    let cut = buf.len();
    buf.extend_from_slice(b"\n\r\n");
    let parser = RequestParser::new();
    assert_eq!(pieces(parser.clone(), &buf, &[cut]), whole(parser, &buf));
}

/// Finding 2 (parse_request_split; fixed in 8da08ec): a request-line
/// exactly at the limit (8192 bytes without CRLF) whose CR arrives before
/// its LF. Whole it was accepted; split between CR and LF the partial line,
/// CR included, counted 8193 bytes and was refused with 414.
#[test]
fn request_line_at_limit_with_cr_arriving_first() {
    let buf = corpus("split_cr_counted_in_line_limit");
    let parser = RequestParser::new();
    let line = buf.iter().position(|&b| b == b'\r').unwrap();
    assert_eq!(line, Limits::DEFAULT.max_request_line);
    let complete = whole(parser.clone(), &buf);
    assert_eq!(complete, Ok(Some(buf.len())));
    assert_eq!(pieces(parser, &buf, &[line + 1]), complete);
}

/// Finding 2, the same for a field line exactly at its limit.
#[test]
fn field_line_at_limit_with_cr_arriving_first() {
    let mut buf = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    let line_start = buf.len() - 3;
    buf.resize(line_start + Limits::DEFAULT.max_header_line, b'v');
    let cr = buf.len();
    buf.extend_from_slice(b"\r\n\r\n");
    let parser = RequestParser::new();
    let complete = whole(parser.clone(), &buf);
    assert_eq!(complete, Ok(Some(buf.len())));
    assert_eq!(pieces(parser, &buf, &[cr + 1]), complete);
}

/// Finding 3 (body_framing, in work then in progress on the fast path in
/// `src/request.rs`, fixed before it landed): `[` in an origin-form path. Whole,
/// the request-line was taken by the fast path, which accepted it; with the
/// line end arriving later, the general path rejected it (`InvalidTarget` at
/// the `[`). RFC 3986 allows `[` and `]` only in an IP-literal host; either
/// way the answer must not depend on the split.
#[test]
fn bracket_in_origin_path_does_not_depend_on_split() {
    let buf = corpus("split_bracket_in_origin_path");
    let parser = RequestParser::new();
    let cr = buf.iter().position(|&b| b == b'\r').unwrap();
    assert_eq!(
        pieces(parser.clone(), &buf, &[cr, cr + 1]),
        whole(parser, &buf)
    );
}

/// A response parsed in one call: the status and the fields (folded values
/// unfolded with `value_pieces`), or the error.
fn response(parser: ResponseParser, buf: &[u8]) -> Result<(u16, Vec<(String, String)>), Error> {
    let mut headers = [Header::EMPTY; 128];
    let r = parser
        .clone()
        .parse(buf, &mut headers)?
        .complete()
        .expect("a complete head");
    let fields = r
        .headers
        .iter()
        .map(|h| {
            let pieces: Vec<&[u8]> = h.value_pieces().collect();
            (
                h.name.to_owned(),
                String::from_utf8_lossy(&pieces.join(&b' ')).into_owned(),
            )
        })
        .collect();
    Ok((r.status, fields))
}

/// Finding 4 (differential_httparse_response; fixed in 64e75f3): with `allow_obs_fold`,
/// an obs-fold line continuing the last field the limit allows is refused
/// with `TooManyHeaders` (431) at its first byte, although it adds no field
/// (`HeadParser::run` checks the count at `State::LineStart` before looking
/// at the byte). httparse accepts; a user agent, which RFC 9112 §5.2 asks to
/// unfold, loses a valid response with 100 fields.
#[test]
fn fold_after_last_field_is_no_new_field() {
    let buf = corpus("response_fold_after_last_field");
    let (status, fields) =
        response(ResponseParser::new().allow_obs_fold(true), &buf).expect("accepted");
    assert_eq!(status, 200);
    assert_eq!(fields.len(), Limits::DEFAULT.max_headers);
    assert_eq!(fields[99], ("X-99".to_owned(), "v more".to_owned()));
    // The same with a limit of two fields.
    let few = Limits {
        max_headers: 2,
        ..Limits::DEFAULT
    };
    let buf = b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n e\r\n\r\n";
    assert_eq!(
        response(ResponseParser::with_limits(few).allow_obs_fold(true), buf),
        Ok((
            200,
            vec![("A".into(), "b".into()), ("C".into(), "d e".into())]
        ))
    );
}

/// Finding 4, the same for a line `ignore_invalid_header_lines` skips: after
/// the last field allowed it is refused with `TooManyHeaders`, while the
/// same invalid line earlier in the head is skipped and not counted (two
/// fields, an invalid line, nothing more fits; an invalid line between them
/// is fine). httparse counts only the fields it keeps.
#[test]
fn skipped_line_after_last_field_is_no_new_field() {
    let few = Limits {
        max_headers: 2,
        ..Limits::DEFAULT
    };
    let parser = ResponseParser::with_limits(few).ignore_invalid_header_lines(true);
    let fields = vec![("A".to_owned(), "b".to_owned()), ("C".into(), "d".into())];
    assert_eq!(
        response(
            parser.clone(),
            b"HTTP/1.1 200 OK\r\nA: b\r\nBad@: x\r\nC: d\r\n\r\n"
        ),
        Ok((200, fields.clone()))
    );
    assert_eq!(
        response(
            parser,
            b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\nBad@: x\r\n\r\n"
        ),
        Ok((200, fields))
    );
}

/// Finding 6 (differential_httparse_response, after the fix of finding 4;
/// open): with both `allow_obs_fold` and `ignore_invalid_header_lines`, a
/// field after the last one allowed is refused with `TooManyHeaders` at the
/// end of its first line, although an invalid obs-fold continuation may
/// still make the whole field a skipped line, as it does before the limit
/// (the field is dropped and not counted). httparse counts the fields it
/// keeps.
#[test]
fn field_dropped_by_invalid_fold_after_last_field_is_no_new_field() {
    let buf = corpus("response_invalid_fold_after_last_field");
    let one = Limits {
        max_headers: 1,
        ..Limits::DEFAULT
    };
    let parser = ResponseParser::with_limits(one)
        .allow_obs_fold(true)
        .ignore_invalid_header_lines(true);
    // Before the limit the field is dropped with its invalid fold.
    assert_eq!(
        response(
            parser.clone(),
            b"HTTP/1.1 200 OK\r\nC: d\r\n \x01\r\nA: b\r\n\r\n"
        ),
        Ok((200, vec![("A".to_owned(), "b".to_owned())]))
    );
    assert_eq!(
        response(parser, &buf),
        Ok((200, vec![("A".to_owned(), "b".to_owned())]))
    );
}

/// Finding 5 (differential_httparse_response; fixed in 64e75f3): a CR that is not
/// followed by LF, after whitespace that follows a field name
/// (`State::NameSpace` takes it for a byte of a bad name), is no `BareCr`:
/// strict, `A \rB: c` is `InvalidHeaderName` (`MissingColon` without the
/// colon), and `ignore_invalid_header_lines` skips the line, although a
/// skipped line "must still end in CRLF and hold no bare CR"
/// (`ResponseParser::ignore_invalid_header_lines`). A peer that ends lines
/// at a bare CR reads a field `B: c` there. httparse rejects the response.
#[test]
fn bare_cr_after_space_after_name_is_bare_cr() {
    let buf = corpus("response_bare_cr_after_name_space");
    let cr = buf.windows(2).position(|w| w == b" \r").unwrap() + 1;
    assert_eq!(buf[cr], b'\r');
    for parser in [
        ResponseParser::new(),
        ResponseParser::new().allow_space_before_colon(true),
        ResponseParser::new().ignore_invalid_header_lines(true),
    ] {
        let e = response(parser, &buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::BareCr, cr));
    }
}
