//! Reads one request (head and body) from standard input and prints what the
//! strict parser made of it as one line of JSON.
//!
//! ```text
//! cargo run --example inspect < corpus/valid/get_simple.http
//! {"ok":true,"method":"GET","target":"/",...,"consumed":37}
//! ```
//!
//! With `--response`, it reads one response instead, framed as the answer
//! to a `GET` (or to the method given with `--method HEAD`, `--method
//! CONNECT`, ...): `{"ok":true,"status":200,"reason":"OK",...,"framing":
//! "length 5","close_after":false,...}`. The end of the input is the end of
//! the connection, so a close-delimited body is read to it.
//!
//! On rejection: `{"ok":false,"error":"<kind>","status":400,"offset":N,"message":"..."}`.
//! Input that ends before the request does is reported as the error
//! `incomplete_head` or `incomplete_body` (status 400, RFC 9112 §8).
//!
//! The core accepts any token as a method (users route their own). Like a
//! server, `inspect` answers what an origin server implementing the methods
//! of RFC 9110 §9 (and PATCH, RFC 5789) would: any other method, including
//! a lower-case `get` (methods are case-sensitive), is
//! `method_not_implemented` with status 501 (RULES RL-4), reported once the
//! request is otherwise valid.

use std::fmt::Write as _;
use std::io::Read;

use httpwire::{
    BodyDecoder, Decoded, Framing, Header, Limits, RequestParser, ResponseParser, Status,
};

fn main() {
    let mut response = false;
    let mut method = String::from("GET");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.len()) {
            ("--response", _) => response = true,
            ("--method", 1..) => method = args.next().unwrap_or_default(),
            _ => {
                eprintln!("usage: inspect [--response [--method METHOD]] < message");
                std::process::exit(2);
            }
        }
    }
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("inspect: cannot read standard input: {e}");
        std::process::exit(2);
    }
    if response {
        println!("{}", inspect_response(&input, &method));
    } else {
        println!("{}", inspect(&input));
    }
}

/// The JSON line for one response at the start of `input`, answering a
/// request with `method`; the input's end is the connection's close.
fn inspect_response(input: &[u8], method: &str) -> String {
    let limits = Limits::default();
    let mut headers = [Header::EMPTY; 128];
    let response = match ResponseParser::with_limits(limits).parse(input, &mut headers) {
        Ok(Status::Complete(response)) => response,
        Ok(Status::Partial) => {
            return failure(
                "incomplete_head",
                502,
                input.len(),
                "input ended inside the head",
            )
        }
        Err(e) => return failure(e.kind().name(), e.status(), e.offset(), e.message()),
    };
    let plan = match response.framing(method) {
        Ok(plan) => plan,
        Err(e) => return failure(e.kind().name(), e.status(), e.offset(), e.message()),
    };
    let (body, trailers, pos) =
        match read_body(input, response.head_len, plan.framing, &limits, End::Close) {
            Ok(read) => read,
            Err(json) => return json,
        };
    let mut out = String::from("{\"ok\":true");
    let _ = write!(out, ",\"status\":{}", response.status);
    field(&mut out, "reason", &lossy(response.reason));
    field(&mut out, "version", response.version.as_str());
    headers_json(&mut out, response.headers);
    let framing = match plan.framing {
        Framing::None => String::from("none"),
        Framing::Length(n) => format!("length {n}"),
        Framing::Chunked => String::from("chunked"),
        Framing::CloseDelimited => String::from("close-delimited"),
        Framing::Tunnel => String::from("tunnel"),
    };
    field(&mut out, "framing", &framing);
    let _ = write!(out, ",\"close_after\":{}", plan.close_after);
    let _ = write!(out, ",\"keep_alive\":{}", response.keep_alive());
    field(&mut out, "body", &lossy(&body));
    trailers_json(&mut out, &trailers);
    let _ = write!(out, ",\"consumed\":{pos}}}");
    out
}

/// What the end of the input is to a body still being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// The message was cut short (a request: `incomplete_body`).
    Cut,
    /// The connection closed (a response: the end of a close-delimited
    /// body, any other body cut short).
    Close,
}

/// De-frames the body that starts at `pos`: the body, its trailers and
/// where it ended, or the failure's JSON line.
#[allow(clippy::type_complexity)]
fn read_body(
    input: &[u8],
    mut pos: usize,
    framing: Framing,
    limits: &Limits,
    end: End,
) -> Result<(Vec<u8>, Vec<(String, String)>, usize), String> {
    let head_len = pos;
    let mut body = Vec::new();
    let mut trailers: Vec<(String, String)> = Vec::new();
    let mut decoder = BodyDecoder::new(framing, limits);
    loop {
        match decoder.decode(&input[pos..]) {
            Ok((used, event)) => {
                pos += used;
                match event {
                    Decoded::Data(data) => body.extend_from_slice(data),
                    Decoded::Trailer(t) => trailers.push((t.name.to_string(), lossy(t.value))),
                    Decoded::Done => return Ok((body, trailers, pos)),
                    Decoded::NeedMore if end == End::Cut => {
                        return Err(failure(
                            "incomplete_body",
                            400,
                            input.len(),
                            "input ended inside the body",
                        ))
                    }
                    Decoded::NeedMore => {
                        // The input is over: the connection closed here.
                        if let Err(e) = decoder.finish_at_close() {
                            return Err(failure(
                                e.kind().name(),
                                e.status(),
                                input.len(),
                                e.message(),
                            ));
                        }
                    }
                }
            }
            Err(e) => {
                let offset = head_len + e.offset();
                return Err(failure(e.kind().name(), e.status(), offset, e.message()));
            }
        }
    }
}

fn headers_json(out: &mut String, headers: &[Header<'_>]) {
    out.push_str(",\"headers\":[");
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{},{}]", json(h.name), json(&lossy(h.value)));
    }
    out.push(']');
}

fn trailers_json(out: &mut String, trailers: &[(String, String)]) {
    out.push_str(",\"trailers\":[");
    for (i, (name, value)) in trailers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{},{}]", json(name), json(value));
    }
    out.push(']');
}

/// The JSON line for one request at the start of `input`.
fn inspect(input: &[u8]) -> String {
    let limits = Limits::default();
    let mut headers = [Header::EMPTY; 128];
    let request = match RequestParser::with_limits(limits).parse(input, &mut headers) {
        Ok(Status::Complete(request)) => request,
        Ok(Status::Partial) => {
            return failure(
                "incomplete_head",
                400,
                input.len(),
                "input ended inside the head",
            )
        }
        Err(e) => return failure(e.kind().name(), e.status(), e.offset(), e.message()),
    };

    let (body, trailers, pos) =
        match read_body(input, request.head_len, request.framing, &limits, End::Cut) {
            Ok(read) => read,
            Err(json) => return json,
        };

    if !IMPLEMENTED_METHODS.contains(&request.method) {
        return failure("method_not_implemented", 501, 0, "method not implemented");
    }

    let mut out = String::from("{\"ok\":true");
    field(&mut out, "method", request.method);
    field(&mut out, "target", request.target);
    field(&mut out, "version", request.version.as_str());
    headers_json(&mut out, request.headers);
    field(&mut out, "body", &lossy(&body));
    trailers_json(&mut out, &trailers);
    let _ = write!(out, ",\"consumed\":{pos}}}");
    out
}

/// RFC 9110 §9.3 and RFC 5789: what a general-purpose origin server serves.
const IMPLEMENTED_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn failure(kind: &str, status: u16, offset: usize, message: &str) -> String {
    format!(
        "{{\"ok\":false,\"error\":{},\"status\":{status},\"offset\":{offset},\"message\":{}}}",
        json(kind),
        json(message)
    )
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, ",\"{name}\":{}", json(value));
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A JSON string literal for `s` (RFC 8259 §7).
fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
