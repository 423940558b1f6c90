//! Arbitrary status, reason and fields through `serialize::ResponseHead`:
//! the serializer either refuses (exactly when an independent check of the
//! input says it must) or writes bytes that httparse's response parser reads
//! back, to the last byte, as exactly that status, reason and those fields
//! plus the one framing field: no injected line ever appears.
#![no_main]

use httpwire::serialize::{reason_phrase, ResponseHead};
use httpwire::{EncodeError, Framing, Header};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum InputFraming {
    None,
    Length(u64),
    Chunked,
    CloseDelimited,
    Tunnel,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// High bit clear: a status in 100-999; set: any u16.
    status: u16,
    reason: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    framing: InputFraming,
}

fn tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5, RFC 9112 §4).
fn text(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80
}

fuzz_target!(|input: Input| {
    let status = if input.status & 0x8000 == 0 {
        100 + input.status % 900
    } else {
        input.status
    };
    let headers: Vec<Header<'_>> = input
        .headers
        .iter()
        .map(|(n, v)| Header { name: n, value: v })
        .collect();
    let framing = match input.framing {
        InputFraming::None => Framing::None,
        InputFraming::Length(n) => Framing::Length(n),
        InputFraming::Chunked => Framing::Chunked,
        InputFraming::CloseDelimited => Framing::CloseDelimited,
        InputFraming::Tunnel => Framing::Tunnel,
    };
    let head = ResponseHead {
        status,
        reason: input.reason.as_deref(),
        headers: &headers,
        framing,
    };

    // The independent check: what RFC 9112 §4, RFC 9110 §5 and SR-2/SR-4 say.
    let valid_field = |h: &Header<'_>| {
        let v = h.value;
        !h.name.is_empty()
            && h.name.bytes().all(tchar)
            && v.iter().all(|&b| text(b))
            && !matches!(v.first(), Some(b' ' | b'\t'))
            && !matches!(v.last(), Some(b' ' | b'\t'))
            && !h.name.eq_ignore_ascii_case("content-length")
            && !h.name.eq_ignore_ascii_case("transfer-encoding")
    };
    let framing_ok = match (status, framing) {
        (_, Framing::None) | (101 | 200..=299, Framing::Tunnel) => true,
        (_, Framing::Tunnel)
        | (100..=199 | 204, _)
        | (304, Framing::Chunked | Framing::CloseDelimited)
        | (205, Framing::Length(1..) | Framing::Chunked | Framing::CloseDelimited) => false,
        _ => true,
    };
    let must_accept = (100..=999).contains(&status)
        && head.reason.is_none_or(|r| r.bytes().all(text))
        && headers.iter().all(valid_field)
        && framing_ok;

    let len = match head.encoded_len() {
        Ok(len) => {
            assert!(
                must_accept,
                "serializer wrote what it must refuse: {head:?}"
            );
            len
        }
        Err(e) => {
            assert!(
                !must_accept,
                "serializer refused a valid head ({e:?}): {head:?}"
            );
            return;
        }
    };
    if len > 0 {
        let mut small = vec![0u8; len - 1];
        assert_eq!(
            head.encode(&mut small),
            Err(EncodeError::BufferTooSmall { needed: len })
        );
    }
    let mut buf = vec![0u8; len + 7];
    assert_eq!(head.encode(&mut buf), Ok(len));
    let buf = &buf[..len];

    let mut slots = vec![httparse::EMPTY_HEADER; headers.len() + 2];
    let mut res = httparse::Response::new(&mut slots);
    let parsed = res.parse(buf);
    let shown = buf.escape_ascii().to_string();
    assert_eq!(
        parsed,
        Ok(httparse::Status::Complete(len)),
        "httparse on {shown}"
    );
    assert_eq!(res.version, Some(1));
    assert_eq!(res.code, Some(status));
    let reason = head
        .reason
        .unwrap_or_else(|| reason_phrase(status).unwrap_or(""));
    if reason.is_ascii() {
        assert_eq!(res.reason, Some(reason), "reason in {shown}");
    } else {
        // httparse reports "" for a reason with obs-text: read it ourselves.
        let line_end = buf.windows(2).position(|w| w == b"\r\n").unwrap();
        assert_eq!(&buf[13..line_end], reason.as_bytes(), "reason in {shown}");
    }
    let mut expected: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    match framing {
        Framing::None | Framing::CloseDelimited | Framing::Tunnel => {}
        Framing::Length(n) => {
            expected.push(("Content-Length".to_owned(), n.to_string().into_bytes()))
        }
        Framing::Chunked => expected.push(("Transfer-Encoding".to_owned(), b"chunked".to_vec())),
    }
    let got: Vec<(String, Vec<u8>)> = res
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    assert_eq!(got, expected, "fields in {shown}");
});
