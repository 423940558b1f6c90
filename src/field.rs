//! Field lines (RFC 9112 §5, RFC 9110 §5): the [`Header`] type and helpers
//! for what embedders do with fields: list values ([`list_items`]) and the
//! hop-by-hop fields a proxy removes ([`end_to_end`]). Field lines
//! themselves, in a head or a trailer section, are parsed by the one head
//! loop (`src/head.rs`).

use crate::chars::trim_ows;
use crate::version::Version;

/// One field line of a head or trailer section, borrowed from the input.
///
/// `name` is a validated token (so plain ASCII); `value` has leading and
/// trailing whitespace removed and may hold obs-text (bytes ≥ 0x80), which is
/// why it stays bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, as sent (compare it with [`Header::is`]).
    pub name: &'a str,
    /// The field value without surrounding whitespace.
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// An empty header, to initialise the slice passed to the parser.
    ///
    /// ```
    /// let mut headers = [httpwire::Header::EMPTY; 32];
    /// # let _ = &mut headers;
    /// ```
    pub const EMPTY: Header<'static> = Header {
        name: "",
        value: b"",
    };

    /// A field to send, such as `Header::new("Content-Type", b"text/plain")`;
    /// `const`, so fixed fields can be constants.
    pub const fn new(name: &'a str, value: &'a [u8]) -> Header<'a> {
        Header { name, value }
    }

    /// Does this field have `name`, compared case-insensitively?
    ///
    /// ```
    /// let h = httpwire::Header { name: "content-TYPE", value: b"text/plain" };
    /// assert!(h.is("Content-Type"));
    /// ```
    #[inline]
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value as `&str`, if it is valid UTF-8.
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }

    /// The value's pieces, without the line breaks of obs-fold and the
    /// whitespace around them: joined by one SP each, they are the value a
    /// user agent interprets (RFC 9112 §5.2). A value that was not folded
    /// is one piece (none if it is empty); empty pieces are left out. Only a response parser with
    /// [`allow_obs_fold`](crate::ResponseParser::allow_obs_fold) yields
    /// folded values; nothing is allocated.
    ///
    /// ```
    /// use httpwire::{Header, ResponseParser};
    /// let mut headers = [Header::EMPTY; 4];
    /// let buf = b"HTTP/1.1 200 OK\r\nX-Long: a,\r\n  b\r\nContent-Length: 0\r\n\r\n";
    /// let res = ResponseParser::new().allow_obs_fold(true)
    ///     .parse(buf, &mut headers).unwrap().complete().unwrap();
    /// let pieces: Vec<&[u8]> = res.headers[0].value_pieces().collect();
    /// assert_eq!(pieces, [&b"a,"[..], b"b"]);
    /// let buf = b"HTTP/1.1 200 OK\r\nX-Late:\r\n  b\r\n\r\n";
    /// let res = ResponseParser::new().allow_obs_fold(true)
    ///     .parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(res.headers[0].value_pieces().collect::<Vec<_>>(), [&b"b"[..]]);
    /// ```
    pub fn value_pieces(&self) -> impl Iterator<Item = &'a [u8]> {
        self.value
            .split(|&b| b == b'\n')
            .map(|piece| trim_ows(piece.strip_suffix(b"\r").unwrap_or(piece)))
            // A fold of only whitespace, or an empty first line, adds nothing.
            .filter(|piece| !piece.is_empty())
    }
}

/// The value of the first field called `name` (case-insensitive).
pub(crate) fn find<'b>(headers: &[Header<'b>], name: &str) -> Option<&'b [u8]> {
    headers.iter().find(|h| h.is(name)).map(|h| h.value)
}

/// All values of the fields called `name` (case-insensitive), in order.
pub(crate) fn named<'s, 'b>(
    headers: &'s [Header<'b>],
    name: &'s str,
) -> impl Iterator<Item = &'b [u8]> + 's {
    headers.iter().filter(move |h| h.is(name)).map(|h| h.value)
}

/// Does any field called `name` list `token` (RFC 9110 §5.6.1)?
pub(crate) fn has_token(headers: &[Header<'_>], name: &str, token: &str) -> bool {
    named(headers, name).any(|v| list_contains(v, token))
}

/// Is `token` a member of the comma-separated list `value`
/// (case-insensitive, RFC 9110 §5.6.1)?
pub(crate) fn list_contains(value: &[u8], token: &str) -> bool {
    list_items(value).any(|m| m.eq_ignore_ascii_case(token.as_bytes()))
}

/// The elements of a comma-separated list field value (RFC 9110 §5.6.1),
/// such as `Connection`, `Accept-Encoding` or `Cache-Control`: split at
/// each comma outside a quoted-string, without the whitespace around them;
/// empty elements are left out, as a recipient must (`a, , b` is two).
/// Elements are returned as sent: compare tokens case-insensitively.
///
/// ```
/// use httpwire::field::list_items;
/// let items: Vec<&[u8]> = list_items(b"gzip, , br;q=\"0,5\" ,x").collect();
/// assert_eq!(items, [&b"gzip"[..], b"br;q=\"0,5\"", b"x"]);
/// ```
pub fn list_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(value);
    core::iter::from_fn(move || loop {
        let list = rest?;
        // The end of this element: the first comma outside quotes (a
        // backslash escapes the next byte inside them, RFC 9110 §5.6.4).
        let mut quoted = false;
        let mut escaped = false;
        let comma = list.iter().position(|&b| {
            match (quoted, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (_, _, b'"') => quoted = !quoted,
                (false, _, b',') => return true,
                _ => {}
            }
            false
        });
        let (item, next) = match comma {
            Some(at) => (&list[..at], list.get(at + 1..)),
            None => (list, None),
        };
        rest = next;
        let item = trim_ows(item);
        if !item.is_empty() {
            return Some(item);
        }
    })
}

/// The hop-by-hop fields of RFC 9110 §7.6.1 that apply to one connection
/// only and that a proxy removes before forwarding a message, whether or
/// not `Connection` names them. `Transfer-Encoding` is among them: a
/// proxy frames the body it forwards itself.
pub const HOP_BY_HOP: [&str; 6] = [
    "Connection",
    "Proxy-Connection",
    "Keep-Alive",
    "TE",
    "Transfer-Encoding",
    "Upgrade",
];

/// Is the field called `name` hop-by-hop in a message with these
/// `headers`: one of [`HOP_BY_HOP`], or named by a `Connection` field
/// (RFC 9110 §7.6.1)?
///
/// ```
/// use httpwire::field::is_hop_by_hop;
/// use httpwire::Header;
/// let headers = [Header { name: "Connection", value: b"close, X-Trace" }];
/// assert!(is_hop_by_hop("keep-alive", &headers));
/// assert!(is_hop_by_hop("x-trace", &headers));
/// assert!(!is_hop_by_hop("Content-Type", &headers));
/// ```
pub fn is_hop_by_hop(name: &str, headers: &[Header<'_>]) -> bool {
    HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
        || has_token(headers, "connection", name)
}

/// The fields of `headers` a proxy forwards: all but the hop-by-hop ones
/// ([`is_hop_by_hop`]), in order.
///
/// ```
/// use httpwire::field::end_to_end;
/// use httpwire::Header;
/// let headers = [
///     Header { name: "Host", value: b"a" },
///     Header { name: "Connection", value: b"x-hop" },
///     Header { name: "X-Hop", value: b"1" },
///     Header { name: "Keep-Alive", value: b"timeout=5" },
///     Header { name: "Accept", value: b"*/*" },
/// ];
/// let names: Vec<&str> = end_to_end(&headers).map(|h| h.name).collect();
/// assert_eq!(names, ["Host", "Accept"]);
/// ```
pub fn end_to_end<'h, 'b>(headers: &'h [Header<'b>]) -> impl Iterator<Item = &'h Header<'b>> {
    headers
        .iter()
        .filter(move |h| !is_hop_by_hop(h.name, headers))
}

/// What a message's fields say about its connection, gathered in one pass
/// over them: the options its `Connection` fields list (RFC 9110 §7.6.1)
/// and whether it has an `Upgrade` field. The connection roles ask all of
/// these of every head, so one loop instead of one scan each.
// One byte of flags, not four bools: the loop's four results were packed
// into one register at its end and unpacked again at each question.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConnectionFields(u8);

impl ConnectionFields {
    const CLOSE: u8 = 1;
    const KEEP_ALIVE: u8 = 2;
    const UPGRADE_OPTION: u8 = 4;
    const UPGRADE_FIELD: u8 = 8;

    /// What `headers` say: one pass, two length-first name comparisons a
    /// field.
    #[inline]
    pub(crate) fn of(headers: &[Header<'_>]) -> ConnectionFields {
        let mut flags = 0;
        for h in headers {
            if h.is("connection") {
                for option in list_items(h.value) {
                    if option.eq_ignore_ascii_case(b"close") {
                        flags |= Self::CLOSE;
                    } else if option.eq_ignore_ascii_case(b"keep-alive") {
                        flags |= Self::KEEP_ALIVE;
                    } else if option.eq_ignore_ascii_case(b"upgrade") {
                        flags |= Self::UPGRADE_OPTION;
                    }
                }
            } else if h.is("upgrade") {
                flags |= Self::UPGRADE_FIELD;
            }
        }
        ConnectionFields(flags)
    }

    /// `Connection` lists `close`.
    pub(crate) fn close(self) -> bool {
        self.0 & Self::CLOSE != 0
    }

    /// `Connection` lists `keep-alive`.
    pub(crate) fn keep_alive(self) -> bool {
        self.0 & Self::KEEP_ALIVE != 0
    }

    /// Does a message of `version` with these fields let the connection
    /// persist, as far as it alone says (RFC 9112 §9.3, RULES PC-1)?
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`.
    pub(crate) fn persists(self, version: Version) -> bool {
        !self.close() && (version == Version::Http11 || self.keep_alive())
    }

    /// Does the message ask to upgrade: an `Upgrade` field, listed in
    /// `Connection` as a hop-by-hop field must be (RFC 9110 §7.8)?
    pub(crate) fn asks_upgrade(self) -> bool {
        let both = Self::UPGRADE_FIELD | Self::UPGRADE_OPTION;
        self.0 & both == both
    }
}

/// [`ConnectionFields::persists`] of a message of `version` with these
/// fields.
pub(crate) fn persists(version: Version, headers: &[Header<'_>]) -> bool {
    ConnectionFields::of(headers).persists(version)
}

impl Default for Header<'_> {
    fn default() -> Self {
        Header::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<'a>(name: &'a str, value: &'a [u8]) -> Header<'a> {
        Header { name, value }
    }

    #[test]
    fn connection_fields_gather_every_option_of_every_connection_field() {
        let headers = [
            h("CONNECTION", b"Keep-Alive, \"close\""),
            h("Host", b"close"),
            h("connection", b" , UPGRADE"),
            h("Upgrade", b"websocket"),
        ];
        let fields = ConnectionFields::of(&headers);
        assert!(
            !fields.close() && fields.keep_alive(),
            "a quoted close and a close in another field are not options"
        );
        assert!(fields.asks_upgrade());
        assert!(fields.persists(Version::Http10));
        let close = ConnectionFields::of(&[h("Connection", b"keep-alive,close")]);
        assert!(!close.persists(Version::Http10) && !close.persists(Version::Http11));
        let upgrade_alone = ConnectionFields::of(&[h("Upgrade", b"h2c")]);
        assert!(
            !upgrade_alone.asks_upgrade(),
            "Upgrade must be listed in Connection"
        );
        assert!(ConnectionFields::of(&[]).persists(Version::Http11));
        assert!(!ConnectionFields::of(&[]).persists(Version::Http10));
    }
}
