//! Property: request heads written by our serializer and parsed back by our
//! parser are equal, field for field, with the framing the writer announced.

use httpwire::serialize::RequestHead;
use httpwire::{Framing, Header, RequestParser, Status, TargetForm, Version};
use proptest::prelude::*;

const TCHARS: &str = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        proptest::string::string_regex(&format!("{TCHARS}{{1,20}}"))
            .unwrap()
            .prop_filter("CONNECT and OPTIONS need other target forms", |m| {
                m != "CONNECT"
            }),
    ]
}

/// An origin-form target: "/" then pchar, "/", "?" and percent-escapes.
fn target() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::string::string_regex("[A-Za-z0-9._~!$&'()*+,;=:@/?-]{1,8}").unwrap(),
        1 => proptest::string::string_regex("%[0-9A-Fa-f]{2}").unwrap(),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|p| format!("/{}", p.concat()))
}

/// A field name that is not Host or a framing field (those are generated
/// separately, since the parser checks them).
fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TCHARS}{{1,16}}"))
        .unwrap()
        .prop_filter("special fields are generated apart", |n| {
            !["host", "content-length", "transfer-encoding"]
                .iter()
                .any(|s| n.eq_ignore_ascii_case(s))
        })
}

/// A valid value without surrounding whitespace: VCHAR, obs-text, inner SP/HTAB.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let byte =
        prop_oneof![6 => 0x21u8..=0x7e, 2 => 0x80u8..=0xff, 1 => Just(b' '), 1 => Just(b'\t')];
    proptest::collection::vec(byte, 0..32).prop_map(|v| {
        let ws = |b: &u8| *b == b' ' || *b == b'\t';
        let start = v.iter().position(|b| !ws(b)).unwrap_or(v.len());
        let end = v.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
        v[start..end].to_vec()
    })
}

fn host() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9.-]{1,20}(:[0-9]{1,5})?").unwrap()
}

fn version_and_framing() -> impl Strategy<Value = (Version, Framing)> {
    let framing = prop_oneof![
        Just(Framing::None),
        (0u64..=8 * 1024 * 1024).prop_map(Framing::Length),
        Just(Framing::Chunked),
    ];
    (
        prop_oneof![Just(Version::Http10), Just(Version::Http11)],
        framing,
    )
        .prop_map(|(v, f)| {
            // SR-7: never chunked to or from an HTTP/1.0 peer.
            match (v, f) {
                (Version::Http10, Framing::Chunked) => (v, Framing::None),
                other => other,
            }
        })
}

proptest! {
    #[test]
    fn serialized_requests_parse_back_equal(
        method in method(),
        target in target(),
        (version, framing) in version_and_framing(),
        host in host(),
        host_at in 0usize..8,
        fields in proptest::collection::vec((name(), value()), 0..12),
    ) {
        let mut headers: Vec<Header<'_>> = fields
            .iter()
            .map(|(name, value)| Header { name, value })
            .collect();
        headers.insert(host_at.min(headers.len()), Header { name: "Host", value: host.as_bytes() });
        let head = RequestHead { method: &method, target: &target, version, headers: &headers, framing };
        let mut out = vec![0u8; head.encoded_len().unwrap()];
        let written = head.encode(&mut out).unwrap();
        prop_assert_eq!(written, out.len());

        let mut parsed_headers = [Header::EMPTY; 32];
        let parsed = match RequestParser::new().parse(&out, &mut parsed_headers) {
            Ok(Status::Complete(r)) => r,
            other => return Err(TestCaseError::fail(format!("{other:?} for {:?}", String::from_utf8_lossy(&out)))),
        };
        prop_assert_eq!(parsed.method, method.as_str());
        prop_assert_eq!(parsed.target, target.as_str());
        prop_assert_eq!(parsed.target_form, TargetForm::Origin);
        prop_assert_eq!(parsed.version, version);
        prop_assert_eq!(parsed.framing, framing);
        prop_assert_eq!(parsed.head_len, written);
        // The parsed fields are ours plus the one framing field the writer added.
        let framing_fields = usize::from(framing != Framing::None);
        prop_assert_eq!(parsed.headers.len(), headers.len() + framing_fields);
        for (got, sent) in parsed.headers.iter().zip(&headers) {
            prop_assert_eq!(got, sent);
        }
    }
}
