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

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
