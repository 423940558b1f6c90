//! Size limits with safe defaults (the strict profile's recommendations).

/// Limits the parser and decoders enforce. Each has its own error kind when
/// exceeded, so a server can answer with the right status.
///
/// ```
/// let limits = httpwire::Limits { max_headers: 50, ..Default::default() };
/// assert_eq!(limits.max_request_line, 8192);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest request-line, without its CRLF ([`RequestLineTooLong`], 414).
    ///
    /// [`RequestLineTooLong`]: crate::ErrorKind::RequestLineTooLong
    pub max_request_line: usize,
    /// Longest method ([`MethodTooLong`], 501).
    ///
    /// [`MethodTooLong`]: crate::ErrorKind::MethodTooLong
    pub max_method: usize,
    /// Longest field line, without its CRLF ([`HeaderLineTooLong`], 431).
    ///
    /// [`HeaderLineTooLong`]: crate::ErrorKind::HeaderLineTooLong
    pub max_header_line: usize,
    /// Largest whole head, request-line to final CRLF ([`HeadTooLarge`], 431).
    ///
    /// [`HeadTooLarge`]: crate::ErrorKind::HeadTooLarge
    pub max_head: usize,
    /// Most field lines in a head or trailer section ([`TooManyHeaders`], 431).
    ///
    /// [`TooManyHeaders`]: crate::ErrorKind::TooManyHeaders
    pub max_headers: usize,
    /// Most empty lines skipped before a request-line ([`TooManyEmptyLines`]).
    ///
    /// [`TooManyEmptyLines`]: crate::ErrorKind::TooManyEmptyLines
    pub max_empty_lines: usize,
    /// Largest declared body: a Content-Length or the sum of chunk sizes
    /// ([`BodyTooLarge`], 413).
    ///
    /// [`BodyTooLarge`]: crate::ErrorKind::BodyTooLarge
    pub max_body: u64,
    /// Longest chunk line without its CRLF: the chunk-size, leading zeros
    /// included, and its extensions ([`ChunkLineTooLong`], 400). RFC 9112
    /// §7.1 allows any number of leading zeros; this bounds them, so that a
    /// size line cannot hold a connection.
    ///
    /// [`ChunkLineTooLong`]: crate::ErrorKind::ChunkLineTooLong
    pub max_chunk_line: usize,
    /// Longest chunk-extension text of one chunk ([`ChunkExtensionTooLong`],
    /// 400).
    ///
    /// [`ChunkExtensionTooLong`]: crate::ErrorKind::ChunkExtensionTooLong
    pub max_chunk_extension: usize,
    /// Largest trailer section: its field lines, line endings included,
    /// not the empty line that ends it ([`TrailersTooLarge`], 431).
    ///
    /// [`TrailersTooLarge`]: crate::ErrorKind::TrailersTooLarge
    pub max_trailers: usize,
}

impl Limits {
    /// The defaults: request-line 8 KiB, method 64 bytes, field line 8 KiB,
    /// head 64 KiB, 100 fields, 8 empty lines, body 8 MiB, chunk line 8 KiB
    /// with its extensions at most 4 KiB, trailer section 64 KiB.
    pub const DEFAULT: Limits = Limits {
        max_request_line: 8 * 1024,
        max_method: 64,
        max_header_line: 8 * 1024,
        max_head: 64 * 1024,
        max_headers: 100,
        max_empty_lines: 8,
        max_body: 8 * 1024 * 1024,
        max_chunk_line: 8 * 1024,
        max_chunk_extension: 4 * 1024,
        max_trailers: 64 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
