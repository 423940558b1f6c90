//! The helpers embedders use with fields: the IMF-fixdate writer against
//! the `httpdate` crate, and list splitting against a simple model.

use httpwire::date::HttpDate;
use httpwire::field::{end_to_end, is_hop_by_hop, list_items};
use httpwire::Header;
use proptest::prelude::*;
use std::time::{Duration, UNIX_EPOCH};

proptest! {
    #[test]
    fn http_date_matches_httpdate(secs in 0u64..253_402_300_800) {
        let ours = HttpDate::from_unix_secs(secs);
        let theirs = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
        prop_assert_eq!(ours.as_str(), theirs.as_str());
        prop_assert_eq!(ours.as_bytes().len(), HttpDate::LEN);
    }

    /// Without quotes, the elements are the comma-split pieces, trimmed,
    /// without the empty ones.
    #[test]
    fn list_items_without_quotes_is_split_trim_filter(value in "[a-z ;=\t,]{0,40}") {
        let ours: Vec<&[u8]> = list_items(value.as_bytes()).collect();
        let model: Vec<&[u8]> = value
            .split(',')
            .map(|s| s.trim_matches([' ', '\t']).as_bytes())
            .filter(|s| !s.is_empty())
            .collect();
        prop_assert_eq!(ours, model);
    }
}

#[test]
fn list_items_keep_quoted_commas_and_escapes() {
    let items: Vec<&[u8]> = list_items(br#"a="x,y", b="q\",r", c"#).collect();
    assert_eq!(items, [&br#"a="x,y""#[..], br#"b="q\",r""#, b"c"]);
    assert_eq!(list_items(b" , ,").count(), 0);
    assert_eq!(list_items(b"").count(), 0);
}

#[test]
fn hop_by_hop_fields_include_the_ones_connection_names() {
    let headers = [
        Header {
            name: "connection",
            value: b"Keep-Alive, X-A",
        },
        Header {
            name: "Connection",
            value: b"x-b",
        },
        Header {
            name: "X-A",
            value: b"1",
        },
        Header {
            name: "X-B",
            value: b"2",
        },
        Header {
            name: "TE",
            value: b"trailers",
        },
        Header {
            name: "Transfer-Encoding",
            value: b"chunked",
        },
        Header {
            name: "Upgrade",
            value: b"h2c",
        },
        Header {
            name: "Proxy-Connection",
            value: b"close",
        },
        Header {
            name: "Content-Type",
            value: b"text/plain",
        },
        Header {
            name: "Date",
            value: b"x",
        },
    ];
    let kept: Vec<&str> = end_to_end(&headers).map(|h| h.name).collect();
    assert_eq!(kept, ["Content-Type", "Date"]);
    assert!(is_hop_by_hop("X-B", &headers));
    assert!(!is_hop_by_hop("X-C", &headers));
}
