//! Request-targets (RFC 9112 §3.2) and authorities (RFC 3986 §3.2, RFC 9110 §7.2).

use crate::chars::{
    hex_value, REG_NAME_PLAIN, REG_NAME_PLAIN_WITH_COMMA, TARGET_PLAIN, TARGET_PLAIN_WITH_BRACKETS,
};
use crate::error::ErrorKind;

/// The four forms of request-target (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetForm {
    /// `/path?query`, the common form.
    Origin,
    /// An absolute URI of any scheme (`http://host/path?query`,
    /// `urn:isbn:123`), sent to proxies; origin servers must accept it.
    Absolute,
    /// `host:port`, only with CONNECT.
    Authority,
    /// `*`, only with OPTIONS.
    Asterisk,
}

/// Checks that every byte of `target` is an RFC 3986 character and every `%`
/// starts a valid escape. Returns the index and kind of the first problem.
///
/// `[` and `]` belong only in an IP-literal host (RFC 3986 §3.2.2), so an
/// origin-form target may not hold them; in the other forms [`classify`]
/// checks that they appear only in the authority.
#[inline]
pub(crate) fn check_target_chars(target: &[u8]) -> Result<(), (usize, ErrorKind)> {
    let plain = if target.first() == Some(&b'/') {
        &TARGET_PLAIN
    } else {
        &TARGET_PLAIN_WITH_BRACKETS
    };
    check_chars(target, plain).map_err(|i| {
        let kind = match target[i] {
            b'%' => ErrorKind::InvalidPercentEncoding,
            b'#' => ErrorKind::TargetFragment,
            b'\r' => ErrorKind::BareCr,
            _ => ErrorKind::InvalidTarget,
        };
        (i, kind)
    })
}

/// Checks that `s` holds only bytes of `plain` and valid percent-escapes
/// (RFC 3986 §2.1: `"%" HEXDIG HEXDIG`); returns the index of the first
/// other byte, or of a bad `%`.
#[inline]
fn check_chars(s: &[u8], plain: &[bool; 256]) -> Result<(), usize> {
    let mut i = 0;
    while let Some(skip) = s
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| !plain[b as usize]))
    {
        i += skip;
        let escape_ok = s[i] == b'%'
            && matches!(
                (s.get(i + 1), s.get(i + 2)),
                (Some(&h), Some(&l)) if hex_value(h).is_some() && hex_value(l).is_some()
            );
        if !escape_ok {
            return Err(i);
        }
        i += 3;
    }
    Ok(())
}

/// Classifies a target whose characters are already valid and checks that
/// its form fits the method (RFC 9112 §3.2.3, §3.2.4). Returns the form, or
/// the index and kind of the problem.
pub(crate) fn classify(method: &[u8], target: &[u8]) -> Result<TargetForm, (usize, ErrorKind)> {
    let is_connect = method == b"CONNECT";
    if is_connect {
        // authority-form = uri-host ":" port, and nothing else with CONNECT.
        return if is_authority(target, PortRule::Required) {
            Ok(TargetForm::Authority)
        } else if target.contains(&b'@') && !target.starts_with(b"/") {
            Err((0, ErrorKind::TargetUserinfo))
        } else {
            Err((0, ErrorKind::TargetFormMismatch))
        };
    }
    match target {
        [b'/', ..] => Ok(TargetForm::Origin),
        b"*" => {
            if method == b"OPTIONS" {
                Ok(TargetForm::Asterisk)
            } else {
                Err((0, ErrorKind::TargetFormMismatch))
            }
        }
        // RFC 3986's grammar reads `host:port` as a scheme and a path too;
        // without CONNECT it is the authority-form of TG-5.
        _ if is_authority(target, PortRule::Required) => Err((0, ErrorKind::TargetFormMismatch)),
        _ => match split_absolute(target) {
            Some(parts) => check_absolute(target, parts).map(|()| TargetForm::Absolute),
            None => Err((0, ErrorKind::InvalidTarget)),
        },
    }
}

/// absolute-form (RFC 9112 §3.2.2) is any RFC 3986 absolute-URI,
/// `scheme ":" hier-part ["?" query]` (TG-2): `http://h/a`, but also
/// `urn:isbn:123` or `mailto:a@b`; serving a scheme is the application's
/// choice. `parts` are [`split_absolute`]'s. Its characters are already
/// checked; this checks the structure.
fn check_absolute(
    target: &[u8],
    (scheme_end, authority_start, authority_end): (usize, usize, usize),
) -> Result<(), (usize, ErrorKind)> {
    let scheme = &target[..scheme_end];
    let authority = &target[authority_start..authority_end];
    let has_authority = authority_start > scheme_end + 1;
    if scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https") {
        if let Some(at) = authority.iter().position(|&b| b == b'@') {
            // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error (TG-9).
            return Err((authority_start + at, ErrorKind::TargetUserinfo));
        }
        // RFC 9110 §4.2.1, §4.2.2: `"//" authority` with a non-empty host.
        let empty_host = matches!(authority.first(), None | Some(b':'));
        if !has_authority || empty_host || !is_authority(authority, PortRule::Optional) {
            return Err((authority_start, ErrorKind::InvalidTarget));
        }
    } else if has_authority {
        // RFC 3986 §3.2: `[ userinfo "@" ] host [ ":" port ]`, where a
        // reg-name may hold commas (only a Host field refuses them).
        let host_start = authority
            .iter()
            .position(|&b| b == b'@')
            .map_or(0, |at| at + 1);
        let (userinfo, host) = authority.split_at(host_start);
        if userinfo.iter().any(|&b| b == b'[' || b == b']')
            || !is_authority_general(host, PortRule::Optional, &REG_NAME_PLAIN_WITH_COMMA)
        {
            return Err((authority_start, ErrorKind::InvalidTarget));
        }
    }
    // RFC 3986 §3.2.2: `[` and `]` only around an IP-literal host, never in
    // the path or query.
    match target[authority_end..]
        .iter()
        .position(|&b| b == b'[' || b == b']')
    {
        Some(i) => Err((authority_end + i, ErrorKind::InvalidTarget)),
        None => Ok(()),
    }
}

/// Splits an absolute-URI (RFC 3986 §4.3) into the scheme's end and the
/// authority's bounds: what follows `scheme "://"` up to the path or query,
/// or, for a URI without an authority (`urn:isbn:123`), the empty range
/// where the path starts. `None` if `target` does not start with a scheme
/// and `:`.
pub(crate) fn split_absolute(target: &[u8]) -> Option<(usize, usize, usize)> {
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (RFC 3986 §3.1)
    let scheme_end = target.iter().position(|&b| b == b':')?;
    let scheme = &target[..scheme_end];
    let first_ok = scheme.first().is_some_and(|b| b.is_ascii_alphabetic());
    if !first_ok
        || !scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let hier_part = scheme_end + 1;
    if !target[hier_part..].starts_with(b"//") {
        return Some((scheme_end, hier_part, hier_part));
    }
    let authority_start = hier_part + 2;
    let authority_len = target[authority_start..]
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(target.len() - authority_start);
    Some((scheme_end, authority_start, authority_start + authority_len))
}

/// Whether a port must follow the host.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortRule {
    Required,
    Optional,
}

/// `uri-host [":" port]` (RFC 3986 §3.2.2, §3.2.3), without userinfo. The
/// host may be empty only when the caller allows it (the Host field may be
/// empty, RFC 9110 §7.2); commas are refused, since a Host list is two
/// hosts (strict profile).
#[inline(always)]
pub(crate) fn is_authority(s: &[u8], port: PortRule) -> bool {
    // The common case in one pass: a reg-name of plain bytes, then nothing
    // or ":" and digits. Anything else (escapes, IP-literals, bad bytes)
    // takes the full check below.
    let plain = reg_name_plain_len(s);
    match &s[plain..] {
        [] => return port == PortRule::Optional,
        [b':', digits @ ..] if plain > 0 || port == PortRule::Optional => {
            return digits.iter().all(u8::is_ascii_digit)
                && (port == PortRule::Optional || !digits.is_empty());
        }
        _ => {}
    }
    is_authority_general(s, port, &REG_NAME_PLAIN)
}

/// Length of the prefix of `s` in [`REG_NAME_PLAIN`]: four bytes per step
/// (one branch for four table look-ups), then byte by byte.
#[inline(always)]
fn reg_name_plain_len(s: &[u8]) -> usize {
    let plain = |b: u8| REG_NAME_PLAIN[b as usize];
    let mut i = 0;
    while let Some(&[a, b, c, d]) = s.get(i..i + 4) {
        if !(plain(a) & plain(b) & plain(c) & plain(d)) {
            break;
        }
        i += 4;
    }
    while s.get(i).is_some_and(|&b| plain(b)) {
        i += 1;
    }
    i
}

/// [`is_authority`] for every shape of authority, with the reg-name bytes
/// `reg_name` (and `%` escapes).
fn is_authority_general(s: &[u8], port: PortRule, reg_name: &[bool; 256]) -> bool {
    let (host, port_part) = if let Some(rest) = s.strip_prefix(b"[") {
        // IP-literal = "[" ( IPv6address / IPvFuture ) "]"
        let Some(close) = rest.iter().position(|&b| b == b']') else {
            return false;
        };
        let literal = &rest[..close];
        if !is_ip_literal(literal) {
            return false;
        }
        (&s[..close + 2], &rest[close + 1..])
    } else {
        let end = s.iter().position(|&b| b == b':').unwrap_or(s.len());
        let host = &s[..end];
        // reg-name = *( unreserved / pct-encoded / sub-delims ) (RFC 3986
        // §3.2.2); IPv4 addresses are reg-names by character set.
        if check_chars(host, reg_name).is_err() {
            return false;
        }
        (host, &s[end..])
    };
    if host.is_empty() && port == PortRule::Required {
        return false;
    }
    match port_part {
        [] => port == PortRule::Optional,
        [b':', digits @ ..] => {
            digits.iter().all(u8::is_ascii_digit)
                && (port == PortRule::Optional || !digits.is_empty())
        }
        _ => false,
    }
}

/// IPv6address or IPvFuture, checked by character set and shape: hex digits,
/// colons and dots for IPv6 (at least two colons); `v` HEXDIG "." then
/// unreserved / sub-delims / ":" for IPvFuture.
fn is_ip_literal(lit: &[u8]) -> bool {
    match lit {
        [b'v' | b'V', rest @ ..] => {
            let Some(dot) = rest.iter().position(|&b| b == b'.') else {
                return false;
            };
            dot > 0
                && rest[..dot].iter().all(u8::is_ascii_hexdigit)
                && rest.len() > dot + 1
                && rest[dot + 1..]
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b":-._~!$&'()*+,;=".contains(&b))
        }
        _ => {
            lit.iter().filter(|&&b| b == b':').count() >= 2
                && lit
                    .iter()
                    .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        assert!(is_authority(b"example.com", PortRule::Optional));
        assert!(is_authority(b"example.com:8080", PortRule::Optional));
        assert!(is_authority(b"", PortRule::Optional));
        assert!(is_authority(b"[::1]:80", PortRule::Optional));
        assert!(is_authority(b"[::1]", PortRule::Optional));
        assert!(is_authority(b"127.0.0.1:1", PortRule::Required));
        assert!(!is_authority(b"example.com", PortRule::Required));
        assert!(!is_authority(b"user@example.com", PortRule::Optional));
        assert!(!is_authority(b"a b", PortRule::Optional));
        assert!(!is_authority(b"a,b", PortRule::Optional));
        assert!(!is_authority(b"a/b", PortRule::Optional));
        assert!(!is_authority(b"a:80x", PortRule::Optional));
        assert!(!is_authority(b"[::1", PortRule::Optional));
        assert!(!is_authority(b"[zz]", PortRule::Optional));
        assert!(!is_authority(b"a\x00", PortRule::Optional));
    }

    #[test]
    fn reg_name_prefix_equals_the_byte_loop() {
        let bytes: &[u8] = b"aZ09-._~!$&'()*+;=%:/?#[]@, \x00\x7f\x80\xff";
        // Every string of up to 6 bytes drawn from a few plain and not
        // plain bytes, at every length around the 4-byte steps.
        let mut v = std::vec::Vec::new();
        for len in 0..=9 {
            for seed in 0..bytes.len() * 8 {
                v.clear();
                v.extend((0..len).map(|k| bytes[(seed * 7 + k * 13 + k * k * seed) % bytes.len()]));
                let expected = v
                    .iter()
                    .position(|&b| !REG_NAME_PLAIN[b as usize])
                    .unwrap_or(v.len());
                assert_eq!(reg_name_plain_len(&v), expected, "{v:?}");
            }
        }
    }

    #[test]
    fn forms() {
        assert_eq!(classify(b"GET", b"/a?b"), Ok(TargetForm::Origin));
        assert_eq!(classify(b"GET", b"http://h/a"), Ok(TargetForm::Absolute));
        assert_eq!(classify(b"GET", b"HTTP://h"), Ok(TargetForm::Absolute));
        assert_eq!(classify(b"OPTIONS", b"*"), Ok(TargetForm::Asterisk));
        assert_eq!(classify(b"CONNECT", b"h:443"), Ok(TargetForm::Authority));
        assert_eq!(
            classify(b"GET", b"*").unwrap_err().1,
            ErrorKind::TargetFormMismatch
        );
        assert_eq!(
            classify(b"GET", b"h:443").unwrap_err().1,
            ErrorKind::TargetFormMismatch
        );
        assert_eq!(
            classify(b"CONNECT", b"/").unwrap_err().1,
            ErrorKind::TargetFormMismatch
        );
        assert_eq!(
            classify(b"GET", b"http://u@h/").unwrap_err().1,
            ErrorKind::TargetUserinfo
        );
        assert_eq!(
            classify(b"GET", b"http:///a").unwrap_err().1,
            ErrorKind::InvalidTarget
        );
        assert_eq!(
            classify(b"GET", b"echo/x").unwrap_err().1,
            ErrorKind::InvalidTarget
        );
    }

    #[test]
    fn absolute_uris_of_any_scheme() {
        // TG-2: RFC 3986 absolute-URIs, hierarchical or not.
        for target in [
            &b"urn:isbn:123"[..],
            b"ietf:rfc:2648",
            b"mailto:a@b",
            b"mailto:a@b?subject=x",
            b"news:comp.lang.rust",
            b"tel:+1-816-555-1212",
            b"a+b.c-d:x",
            b"foo:",
            b"foo:/a/b",
            b"file:///etc/hosts",
            b"ftp://u:p@h:21/f",
            b"foo://a,b/",
            b"foo://[::1]:8/a",
            b"foo://h?q",
            b"localhost:8080/x",
        ] {
            assert_eq!(
                classify(b"GET", target),
                Ok(TargetForm::Absolute),
                "{:?}",
                core::str::from_utf8(target)
            );
        }
        let err = |t: &[u8]| classify(b"GET", t).unwrap_err();
        // http(s) needs `//` and a host (RFC 9110 §4.2.1), and no userinfo.
        assert_eq!(err(b"http:x"), (5, ErrorKind::InvalidTarget));
        assert_eq!(err(b"HTTPS:/x"), (6, ErrorKind::InvalidTarget));
        assert_eq!(err(b"https://"), (8, ErrorKind::InvalidTarget));
        assert_eq!(err(b"http://:80/"), (7, ErrorKind::InvalidTarget));
        assert_eq!(err(b"http://a,b/"), (7, ErrorKind::InvalidTarget));
        assert_eq!(err(b"Http://u@h/"), (8, ErrorKind::TargetUserinfo));
        // Other schemes: a well-formed authority, if any, and brackets only
        // around an IP-literal.
        assert_eq!(err(b"foo://h:8x/"), (6, ErrorKind::InvalidTarget));
        assert_eq!(err(b"foo://[::1/"), (6, ErrorKind::InvalidTarget));
        assert_eq!(err(b"foo://u[@h/"), (6, ErrorKind::InvalidTarget));
        assert_eq!(err(b"foo://u@h@i/"), (6, ErrorKind::InvalidTarget));
        assert_eq!(err(b"foo:a[b]"), (5, ErrorKind::InvalidTarget));
        assert_eq!(err(b"foo://[::1]/a]"), (13, ErrorKind::InvalidTarget));
        // Not a scheme: it starts with a letter and ends at the first ":".
        assert_eq!(err(b"1a:b"), (0, ErrorKind::InvalidTarget));
        assert_eq!(err(b":b"), (0, ErrorKind::InvalidTarget));
        assert_eq!(err(b"a_b:c"), (0, ErrorKind::InvalidTarget));
        // `host:port` is authority-form, for CONNECT only (TG-5).
        assert_eq!(err(b"urn:123"), (0, ErrorKind::TargetFormMismatch));
    }

    #[test]
    fn absolute_uri_parts() {
        assert_eq!(split_absolute(b"http://h:1/p?q"), Some((4, 7, 10)));
        assert_eq!(split_absolute(b"http://h?q"), Some((4, 7, 8)));
        assert_eq!(split_absolute(b"file:///x"), Some((4, 7, 7)));
        // No authority: an empty range where the path starts.
        assert_eq!(split_absolute(b"urn:isbn:1"), Some((3, 4, 4)));
        assert_eq!(split_absolute(b"foo:/a"), Some((3, 4, 4)));
        assert_eq!(split_absolute(b"foo:"), Some((3, 4, 4)));
        assert_eq!(split_absolute(b"/a:b"), None);
        assert_eq!(split_absolute(b"ab"), None);
    }

    #[test]
    fn chars() {
        assert!(check_target_chars(b"/a%20b?c=/d:@!$").is_ok());
        assert_eq!(
            check_target_chars(b"/[x]").unwrap_err(),
            (1, ErrorKind::InvalidTarget)
        );
        assert_eq!(
            check_target_chars(b"/a?b[0]=1").unwrap_err(),
            (4, ErrorKind::InvalidTarget)
        );
        assert_eq!(
            check_target_chars(b"/a%zz").unwrap_err(),
            (2, ErrorKind::InvalidPercentEncoding)
        );
        assert_eq!(
            check_target_chars(b"/a%2").unwrap_err(),
            (2, ErrorKind::InvalidPercentEncoding)
        );
        assert_eq!(
            check_target_chars(b"/a#f").unwrap_err(),
            (2, ErrorKind::TargetFragment)
        );
        assert_eq!(
            check_target_chars(b"/a\\b").unwrap_err(),
            (2, ErrorKind::InvalidTarget)
        );
        assert_eq!(
            check_target_chars(b"/\xc3\xa9").unwrap_err(),
            (1, ErrorKind::InvalidTarget)
        );
    }
}
