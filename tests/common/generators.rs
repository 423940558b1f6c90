//! Generators of valid requests with what a reader must find in them,
//! shared by `tests/properties.rs` and `tests/connection_properties.rs`.
//!
//! Those files include this one with `#[path]` rather than through
//! `tests/common/mod.rs`, which needs the std server: the properties test
//! the core only.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use httpwire::{Framing, Header, TargetForm, Version};
use proptest::prelude::*;
use proptest::sample::Index;

/// A field, owned: name and value.
pub type Field = (String, Vec<u8>);

/// What a reader must find in a request: its head, body and trailers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub method: String,
    pub target: String,
    pub form: TargetForm,
    pub version: Version,
    pub headers: Vec<Field>,
    pub framing: Framing,
    pub head_len: usize,
    pub body: Vec<u8>,
    pub trailers: Vec<Field>,
}

pub fn owned(h: &Header<'_>) -> Field {
    (h.name.to_owned(), h.value.to_vec())
}

pub const TCHAR: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]";

pub fn method() -> impl Strategy<Value = String> {
    // CONNECT needs authority-form, so it is not an origin-form method.
    proptest::string::string_regex(&format!("{TCHAR}{{1,12}}"))
        .expect("regex")
        .prop_filter("CONNECT takes authority-form", |m| m != "CONNECT")
}

pub fn target() -> impl Strategy<Value = String> {
    // absolute-path ["?" query] with pchar, escapes and sub-delims (RFC 3986).
    let pchar = "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";
    proptest::string::string_regex(&format!(
        "(/{pchar}{{0,6}}){{1,4}}(\\?({pchar}|[/?]){{0,10}})?"
    ))
    .expect("regex")
}

/// Fields whose meaning the generators place themselves, or that change
/// what a connection does: random fields never carry these names.
const PLACED: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "expect",
    "upgrade",
    "keep-alive",
];

/// A field name that is not one of the fields the generator places itself.
pub fn field_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TCHAR}{{1,16}}"))
        .expect("regex")
        .prop_filter("framing and Host are placed by the generator", |n| {
            !PLACED.contains(&n.to_ascii_lowercase().as_str())
        })
}

/// A field value: VCHAR and obs-text with SP/HTAB inside; returned as the
/// raw bytes on the wire (with OWS around) and the value the parser must give.
pub fn field_value() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    let byte = prop_oneof![0x21u8..=0x7e, 0x80u8..=0xff, Just(b' '), Just(b'\t')];
    let ows = || proptest::string::string_regex("[ \t]{0,3}").expect("regex");
    (ows(), prop::collection::vec(byte, 0..24), ows()).prop_map(|(before, inner, after)| {
        let start = inner
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(inner.len());
        let end = inner
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(start, |e| e + 1);
        let value = inner[start..end].to_vec();
        let mut wire = before.into_bytes();
        wire.extend_from_slice(&inner);
        wire.extend_from_slice(after.as_bytes());
        (wire, value)
    })
}

/// A random field as a sender gives it: a name and a value without
/// whitespace at either end.
pub fn field() -> impl Strategy<Value = Field> {
    (field_name(), field_value()).prop_map(|(name, (_, value))| (name, value))
}

pub fn host() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?(:[0-9]{1,5})?")
        .expect("regex")
}

/// A chunked body on the wire (RFC 9112 §7.1): chunk-size lines in either
/// case, with leading zeros and chunk extensions, then trailer fields.
/// Returns the bytes, the data and the trailers a decoder must give.
pub fn chunked_body() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<Field>)> {
    let chunk = (
        prop::collection::vec(any::<u8>(), 1..40),
        any::<bool>(),
        0..3usize,
        proptest::option::of("[a-z]{1,5}(=[a-z0-9]{1,5})?"),
    );
    (
        prop::collection::vec(chunk, 0..4),
        0..3usize,
        prop::collection::vec((field_name(), field_value()), 0..3),
    )
        .prop_map(|(chunks, last_zeros, trailers)| {
            let mut wire = Vec::new();
            let mut data = Vec::new();
            for (bytes, upper, zeros, ext) in chunks {
                let size = if upper {
                    format!("{:X}", bytes.len())
                } else {
                    format!("{:x}", bytes.len())
                };
                wire.extend_from_slice("0".repeat(zeros).as_bytes());
                wire.extend_from_slice(size.as_bytes());
                if let Some(ext) = ext {
                    wire.push(b';');
                    wire.extend_from_slice(ext.as_bytes());
                }
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&bytes);
                wire.extend_from_slice(b"\r\n");
                data.extend_from_slice(&bytes);
            }
            wire.extend_from_slice("0".repeat(last_zeros + 1).as_bytes());
            wire.extend_from_slice(b"\r\n");
            let mut fields = Vec::new();
            for (name, (value_wire, value)) in trailers {
                wire.extend_from_slice(name.as_bytes());
                wire.push(b':');
                wire.extend_from_slice(&value_wire);
                wire.extend_from_slice(b"\r\n");
                fields.push((name, value));
            }
            wire.extend_from_slice(b"\r\n");
            (wire, data, fields)
        })
}

#[derive(Clone, Debug)]
pub struct Generated {
    pub bytes: Vec<u8>,
    pub expected: Parsed,
}

/// A request's body as generated.
#[derive(Clone, Debug)]
enum Body {
    None,
    Length(Vec<u8>),
    /// Wire bytes, data, trailers.
    Chunked(Vec<u8>, Vec<u8>, Vec<Field>),
}

/// A valid request: a random method token, an origin-form target,
/// 0–20 random valid fields including Host, an optional Content-Length
/// body.
pub fn valid_request() -> impl Strategy<Value = Generated> {
    request_with(method(), Just(Vec::new()), false)
}

/// A valid request with its method from `methods`, the fields of `extra`
/// (name and value, placed among the random ones at random positions), and
/// with `chunked` a chunked body (with trailers) as a third choice besides
/// none and a Content-Length body; chunked requests are never HTTP/1.0
/// (which has no chunked coding, RFC 9112 §6.1).
pub fn request_with(
    methods: impl Strategy<Value = String>,
    extra: impl Strategy<Value = Vec<(&'static str, &'static str)>>,
    chunked: bool,
) -> impl Strategy<Value = Generated> {
    let body = if chunked {
        prop_oneof![
            Just(Body::None),
            prop::collection::vec(any::<u8>(), 0..64).prop_map(Body::Length),
            chunked_body().prop_map(|(w, d, t)| Body::Chunked(w, d, t)),
        ]
        .boxed()
    } else {
        prop::option::of(prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|b| b.map_or(Body::None, Body::Length))
            .boxed()
    };
    (
        methods,
        target(),
        prop_oneof![
            Just(("HTTP/1.1", Version::Http11)),
            Just(("HTTP/1.0", Version::Http10)),
            Just(("HTTP/1.7", Version::Http11))
        ],
        prop::collection::vec((field_name(), field_value()), 0..=19),
        (host(), any::<Index>()),
        (body, any::<Index>()),
        (extra, prop::collection::vec(any::<Index>(), 4)),
        0..3usize,
    )
        .prop_filter(
            "no chunked coding in HTTP/1.0",
            |(_, _, (_, v), _, _, (b, _), _, _)| {
                !(matches!(b, Body::Chunked(..)) && *v == Version::Http10)
            },
        )
        .prop_map(
            |(
                method,
                target,
                (version_text, version),
                fields,
                (host, host_at),
                (body, body_at),
                (extra, extra_at),
                empty_lines,
            )| {
                let mut lines: Vec<(String, Vec<u8>, Vec<u8>)> = fields
                    .into_iter()
                    .map(|(n, (wire, value))| (n, wire, value))
                    .collect();
                lines.insert(
                    host_at.index(lines.len() + 1),
                    (
                        "Host".into(),
                        format!(" {host}").into_bytes(),
                        host.into_bytes(),
                    ),
                );
                for ((name, value), at) in extra.into_iter().zip(extra_at.iter().cycle()) {
                    lines.insert(
                        at.index(lines.len() + 1),
                        (name.into(), format!(" {value}").into_bytes(), value.into()),
                    );
                }
                let framing_field = match &body {
                    Body::None => None,
                    Body::Length(b) => Some(("Content-Length", b.len().to_string())),
                    Body::Chunked(..) => Some(("Transfer-Encoding", "chunked".to_string())),
                };
                if let Some((name, value)) = framing_field {
                    lines.insert(
                        body_at.index(lines.len() + 1),
                        (
                            name.into(),
                            format!(" {value}").into_bytes(),
                            value.into_bytes(),
                        ),
                    );
                }
                let mut bytes = b"\r\n".repeat(empty_lines);
                bytes.extend_from_slice(format!("{method} {target} {version_text}\r\n").as_bytes());
                for (name, wire, _) in &lines {
                    bytes.extend_from_slice(name.as_bytes());
                    bytes.push(b':');
                    bytes.extend_from_slice(wire);
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(b"\r\n");
                let head_len = bytes.len();
                let (framing, body, trailers) = match body {
                    Body::None => (Framing::None, Vec::new(), Vec::new()),
                    Body::Length(b) => {
                        bytes.extend_from_slice(&b);
                        (Framing::Length(b.len() as u64), b, Vec::new())
                    }
                    Body::Chunked(wire, data, trailers) => {
                        bytes.extend_from_slice(&wire);
                        (Framing::Chunked, data, trailers)
                    }
                };
                Generated {
                    bytes,
                    expected: Parsed {
                        method,
                        target,
                        form: TargetForm::Origin,
                        version,
                        headers: lines.into_iter().map(|(n, _, v)| (n, v)).collect(),
                        framing,
                        head_len,
                        body,
                        trailers,
                    },
                }
            },
        )
}
