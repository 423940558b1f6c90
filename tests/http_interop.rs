//! The `http` feature: parsed heads to the `http` crate's types and back
//! through our serializers, and each thing that cannot convert as its own
//! `ConvertError`. `cargo test --all-features` runs these.
#![cfg(feature = "http")]

use httpwire::serialize::{RequestHead, ResponseHead};
use httpwire::{
    ConvertError, EncodeError, Framing, Header, Limits, Request, RequestParser, Response,
    ResponseParser,
};

fn parse_request<'b, 'h>(
    parser: RequestParser,
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Request<'b, 'h> {
    let mut parser = parser;
    parser
        .parse(buf, headers)
        .expect("a valid request")
        .complete()
        .expect("a whole head")
}

fn parse_response<'b, 'h>(
    parser: ResponseParser,
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Response<'b, 'h> {
    let mut parser = parser;
    parser
        .parse(buf, headers)
        .expect("a valid response")
        .complete()
        .expect("a whole head")
}

/// Generous limits, for the heads past what `http` takes.
fn big_limits() -> Limits {
    Limits {
        max_request_line: 1 << 20,
        max_header_line: 1 << 20,
        max_head: 1 << 21,
        ..Limits::DEFAULT
    }
}

#[test]
fn request_head_to_parts() {
    let buf = b"PUT /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nX-Tag: one\r\n\
                Content-Length: 3\r\nx-tag: two\r\nX-Bytes: caf\xc3\xa9\r\n\r\nabc";
    let mut headers = [Header::EMPTY; 16];
    let request = parse_request(RequestParser::new(), buf, &mut headers);
    let parts = request.to_http_parts().unwrap();
    assert_eq!(parts.method, http::Method::PUT);
    assert_eq!(parts.uri.path(), "/a/b");
    assert_eq!(parts.uri.query(), Some("c=d"));
    assert_eq!(parts.version, http::Version::HTTP_11);
    assert_eq!(parts.headers.len(), 5);
    assert_eq!(parts.headers["host"], "example.com");
    assert_eq!(parts.headers["content-length"], "3");
    // Repeated names keep their order, whatever their case was.
    let tags: Vec<_> = parts.headers.get_all("x-tag").iter().collect();
    assert_eq!(tags, ["one", "two"]);
    // obs-text is kept as bytes.
    assert_eq!(parts.headers["x-bytes"].as_bytes(), "café".as_bytes());

    let request = request.to_http().unwrap();
    assert_eq!(request.method(), http::Method::PUT);
    assert_eq!(request.uri(), "/a/b?c=d");
    assert_eq!(request.headers().len(), 5);
}

#[test]
fn every_target_form_converts() {
    let cases: [(&[u8], &str); 4] = [
        (b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "/x"),
        (
            b"GET http://a.example:8080/p?q HTTP/1.1\r\nHost: a.example:8080\r\n\r\n",
            "http://a.example:8080/p?q",
        ),
        (
            b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
            "a.example:443",
        ),
        (b"OPTIONS * HTTP/1.0\r\n\r\n", "*"),
    ];
    for (buf, uri) in cases {
        let mut headers = [Header::EMPTY; 4];
        let request = parse_request(RequestParser::new(), buf, &mut headers);
        let parts = request.to_http_parts().unwrap();
        assert_eq!(parts.uri, uri);
    }
}

/// Every method the parser accepts is a token, and `http` takes every
/// token: no method fails to convert (`ConvertError::InvalidMethod` is for
/// a stricter `http`). This test fails if that changes.
#[test]
fn every_token_method_converts() {
    let long = "X".repeat(64);
    for method in ["GET", "PROPFIND", "M!#$%&'*+-.^_`|~09az", "lower", &long] {
        let buf = format!("{method} /x HTTP/1.1\r\nHost: a\r\n\r\n");
        let mut headers = [Header::EMPTY; 4];
        let request = parse_request(RequestParser::new(), buf.as_bytes(), &mut headers);
        assert_eq!(request.to_http_parts().unwrap().method.as_str(), method);
    }
}

#[test]
fn targets_http_refuses() {
    // RFC 3986 absolute-URIs without `//`: valid request-targets, but
    // `http::Uri` wants `scheme://` in absolute-form. (It takes
    // `mailto:a@example.com`, read as an authority, so that one converts.)
    for target in ["urn:isbn:0451450523", "tag:example.com,2005:x"] {
        let buf = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        let mut headers = [Header::EMPTY; 4];
        let request = parse_request(RequestParser::new(), buf.as_bytes(), &mut headers);
        assert_eq!(request.target, target);
        assert_eq!(
            request.to_http_parts().unwrap_err(),
            ConvertError::InvalidTarget
        );
    }
    // Longer than the 65,534 bytes an http::Uri holds.
    let buf = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(70_000));
    let mut headers = [Header::EMPTY; 4];
    let request = parse_request(
        RequestParser::with_limits(big_limits()),
        buf.as_bytes(),
        &mut headers,
    );
    assert_eq!(request.to_http().unwrap_err(), ConvertError::InvalidTarget);
}

#[test]
fn names_http_refuses() {
    // A name over the 65,535 bytes of an http::HeaderName, as field 1.
    let buf = format!(
        "GET / HTTP/1.1\r\nHost: a\r\n{}: v\r\n\r\n",
        "n".repeat(70_000)
    );
    let mut headers = [Header::EMPTY; 4];
    let request = parse_request(
        RequestParser::with_limits(big_limits()),
        buf.as_bytes(),
        &mut headers,
    );
    let err = request.to_http_parts().unwrap_err();
    assert_eq!(err, ConvertError::InvalidHeaderName { index: 1 });
    assert_eq!(
        err.to_string(),
        "the http crate refused the name of field 1"
    );
}

#[test]
fn response_head_to_parts() {
    let buf = b"HTTP/1.0 299 Whatever\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n\
                Set-Cookie: b=2\r\n\r\n";
    let mut headers = [Header::EMPTY; 8];
    let response = parse_response(ResponseParser::new(), buf, &mut headers);
    let parts = response.to_http_parts().unwrap();
    assert_eq!(parts.status.as_u16(), 299);
    assert_eq!(parts.version, http::Version::HTTP_10);
    assert_eq!(parts.headers["content-type"], "text/plain");
    let cookies: Vec<_> = parts.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    let response = response.to_http().unwrap();
    assert_eq!(response.status().as_u16(), 299);
}

/// `http` refuses line breaks in a value: a folded value is unfolded (one
/// SP per fold, RFC 9112 §5.2) rather than refused.
#[test]
fn folded_values_are_unfolded() {
    let buf = b"HTTP/1.1 200 OK\r\nX-A: one,\r\n two,\r\n\t three\r\nX-B:\r\n  late\r\n\
                Content-Length: 0\r\n\r\n";
    let mut headers = [Header::EMPTY; 8];
    let response = parse_response(
        ResponseParser::new().allow_obs_fold(true),
        buf,
        &mut headers,
    );
    assert!(response.headers[0].value.contains(&b'\n'));
    let parts = response.to_http_parts().unwrap();
    assert_eq!(parts.headers["x-a"], "one, two, three");
    assert_eq!(parts.headers["x-b"], "late");
}

#[test]
fn http_response_through_our_serializer() {
    let response = http::Response::builder()
        .status(404)
        .header("Content-Type", "text/plain")
        .header("Vary", "a")
        .header("Vary", "b")
        .header("Content-Length", "9")
        .body("not found")
        .unwrap();
    let mut headers = [Header::EMPTY; 8];
    let head = ResponseHead::from_http(&response, &mut headers).unwrap();
    assert_eq!(head.framing, Framing::Length(9));
    let mut buf = [0u8; 256];
    let n = head.encode(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nvary: a\r\nvary: b\r\n\
          Content-Length: 9\r\n\r\n"
    );
    // And back: our parser reads what we wrote as the same head.
    let mut parsed = [Header::EMPTY; 8];
    let back = parse_response(ResponseParser::new(), &buf[..n], &mut parsed)
        .to_http()
        .unwrap();
    assert_eq!(back.status(), response.status());
    assert_eq!(back.headers(), response.headers());

    let chunked = http::Response::builder()
        .header("transfer-encoding", "Chunked")
        .body(())
        .unwrap();
    let head = ResponseHead::from_http(&chunked, &mut headers).unwrap();
    assert_eq!((head.framing, head.headers.len()), (Framing::Chunked, 0));
    // No framing field: nothing announces the body (it ends at the close).
    let bare = http::Response::new(());
    let head = ResponseHead::from_http(&bare, &mut headers).unwrap();
    assert_eq!(head.framing, Framing::None);
}

#[test]
fn http_request_through_our_serializer() {
    let request = http::Request::builder()
        .method("PATCH")
        .uri("https://api.example:8443/items/7?full=1")
        .header("Accept", "*/*")
        .header("Content-Length", "2")
        .body("{}")
        .unwrap();
    let mut headers = [Header::EMPTY; 8];
    let head = RequestHead::from_http(&request, &mut headers).unwrap();
    let mut out = Vec::new();
    head.write_to(&mut out).unwrap();
    assert_eq!(
        out,
        b"PATCH /items/7?full=1 HTTP/1.1\r\nHost: api.example:8443\r\naccept: */*\r\n\
          Content-Length: 2\r\n\r\n"
    );
    let mut parsed = [Header::EMPTY; 8];
    let back = parse_request(RequestParser::new(), &out, &mut parsed)
        .to_http_parts()
        .unwrap();
    assert_eq!(back.method, request.method());
    assert_eq!(back.uri, "/items/7?full=1");
    assert_eq!(back.headers["host"], "api.example:8443");
    assert_eq!(back.headers["content-length"], "2");

    // A Host field of its own is kept, and none is added.
    let request = http::Request::get("http://a.example/")
        .header("Host", "b.example")
        .body(())
        .unwrap();
    let head = RequestHead::from_http(&request, &mut headers).unwrap();
    assert_eq!(
        head.headers,
        [Header {
            name: "host",
            value: b"b.example"
        }]
    );
    // CONNECT writes the authority; `*` stays `*`; HTTP/1.0 needs no Host.
    let connect = http::Request::connect("a.example:443").body(()).unwrap();
    let head = RequestHead::from_http(&connect, &mut headers).unwrap();
    assert_eq!(
        (head.target, head.headers[0].value),
        ("a.example:443", &b"a.example:443"[..])
    );
    let options = http::Request::options("*")
        .version(http::Version::HTTP_10)
        .body(())
        .unwrap();
    let head = RequestHead::from_http(&options, &mut headers).unwrap();
    assert_eq!((head.target, head.headers.len()), ("*", 0));
}

/// Converts with `slots` header slots; just the outcome.
fn response_outcome(response: &http::Response<()>, slots: usize) -> Result<(), ConvertError> {
    let mut headers = vec![Header::EMPTY; slots];
    ResponseHead::from_http(response, &mut headers).map(|_| ())
}

fn request_outcome(request: &http::Request<()>, slots: usize) -> Result<(), ConvertError> {
    let mut headers = vec![Header::EMPTY; slots];
    RequestHead::from_http(request, &mut headers).map(|_| ())
}

#[test]
fn what_cannot_be_serialized() {
    let response = |name: &str, value: &str| {
        http::Response::builder()
            .header(name, value)
            .body(())
            .unwrap()
    };
    // http keeps whitespace around a value; our serializer refuses it.
    assert_eq!(
        response_outcome(&response("X-Pad", "x "), 4),
        Err(ConvertError::Encode(EncodeError::InvalidHeaderValue))
    );
    for (name, value) in [
        ("Content-Length", "abc"),
        ("Content-Length", "-1"),
        ("Content-Length", ""),
        ("Content-Length", "18446744073709551616"),
        ("Transfer-Encoding", "gzip"),
        ("Transfer-Encoding", "gzip, chunked"),
    ] {
        assert_eq!(
            response_outcome(&response(name, value), 4),
            Err(ConvertError::InvalidFraming),
            "{name}: {value}"
        );
    }
    let both = http::Response::builder()
        .header("Content-Length", "1")
        .header("Transfer-Encoding", "chunked")
        .body(())
        .unwrap();
    let two_lengths = http::Response::builder()
        .header("Content-Length", "1")
        .header("Content-Length", "1")
        .body(())
        .unwrap();
    for r in [both, two_lengths] {
        assert_eq!(response_outcome(&r, 4), Err(ConvertError::InvalidFraming));
    }
    // A length on a 204 is the serializer's refusal.
    let no_content = http::Response::builder()
        .status(204)
        .header("Content-Length", "0")
        .body(())
        .unwrap();
    let err = response_outcome(&no_content, 4).unwrap_err();
    assert_eq!(err, ConvertError::Encode(EncodeError::ConflictingFraming));
    assert_eq!(
        core::error::Error::source(&err).map(|e| e.to_string()),
        Some(EncodeError::ConflictingFraming.to_string())
    );
    // Too few slots.
    let many = http::Response::builder()
        .header("A", "1")
        .header("B", "2")
        .header("C", "3")
        .body(())
        .unwrap();
    assert_eq!(response_outcome(&many, 3), Ok(()));
    assert_eq!(
        response_outcome(&many, 2),
        Err(ConvertError::TooManyHeaders)
    );

    // Requests: HTTP/2 has no request-line; CONNECT needs an authority;
    // HTTP/1.1 needs a Host, from a field or the URI; and Host needs a slot.
    let h2 = http::Request::get("/")
        .version(http::Version::HTTP_2)
        .body(())
        .unwrap();
    assert_eq!(
        request_outcome(&h2, 4),
        Err(ConvertError::UnsupportedVersion)
    );
    let connect = http::Request::connect("/x").body(()).unwrap();
    assert_eq!(
        request_outcome(&connect, 4),
        Err(ConvertError::InvalidTarget)
    );
    let no_host = http::Request::get("/").body(()).unwrap();
    assert_eq!(
        request_outcome(&no_host, 4),
        Err(ConvertError::Encode(EncodeError::InvalidHost))
    );
    let absolute = http::Request::get("http://a.example/").body(()).unwrap();
    assert_eq!(request_outcome(&absolute, 1), Ok(()));
    assert_eq!(
        request_outcome(&absolute, 0),
        Err(ConvertError::TooManyHeaders)
    );
}
