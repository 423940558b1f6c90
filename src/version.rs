//! HTTP versions (RFC 9112 §2.3, RFC 9110 §2.5).

/// The HTTP version of a message. Only HTTP/1.0 and HTTP/1.1 are spoken;
/// a request with a higher minor version of major 1 (`HTTP/1.7`) is processed
/// as HTTP/1.1 (RFC 9110 §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0: connections close after each response unless keep-alive is asked for.
    Http10,
    /// HTTP/1.1: connections persist by default.
    Http11,
}

impl Version {
    /// The version as written on the wire: `"HTTP/1.0"` or `"HTTP/1.1"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// Does byte `b` fit at index `k` (0–7) of `HTTP-version = "HTTP/" DIGIT
/// "." DIGIT` (RFC 9112 §2.3, case-sensitive)? One byte at a time, so that a
/// bad version is refused when its first wrong byte arrives.
#[inline]
pub(crate) fn grammar_byte(k: usize, b: u8) -> bool {
    match k {
        5 | 7 => b.is_ascii_digit(),
        _ => b"HTTP/?.".get(k) == Some(&b),
    }
}

/// The version a message of `HTTP/major.minor` is processed as: major 1
/// only (RFC 9110 §2.5; RULES VR-2), a higher minor version as HTTP/1.1
/// (RULES VR-3).
#[inline]
pub(crate) fn from_digits(major: u8, minor: u8) -> Result<Version, crate::ErrorKind> {
    match (major, minor) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', _) => Ok(Version::Http11),
        _ => Err(crate::ErrorKind::UnsupportedVersion),
    }
}

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
