//! The requests the head-parsing benchmarks use, and the two parse calls
//! they compare, shared by `benches/parse.rs` (criterion, wall time) and
//! `examples/icount.rs` (instruction counts, `benches/icount.sh`).

use std::io::Write as _;

use httpwire::{Header, RequestParser, Status};

/// A 50-byte request, like `curl http://127.0.0.1:40000/echo/hello`.
pub const SMALL: &[u8] = b"GET /echo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// The browser request of picohttpparser's and httparse's benchmarks.
pub const TYPICAL: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";

pub fn many_headers() -> Vec<u8> {
    let mut r = b"GET /api/v1/items?page=2 HTTP/1.1\r\nHost: api.example.com\r\n".to_vec();
    for i in 0..39 {
        write!(r, "X-Custom-Header-{i}: value-{i}-abcdefghijklmnop\r\n").unwrap();
    }
    r.extend_from_slice(b"\r\n");
    r
}

pub fn long_target() -> Vec<u8> {
    let mut r = b"GET /search?q=".to_vec();
    while r.len() < 4096 {
        r.extend_from_slice(b"abcdefgh%20ijkl/");
    }
    r.extend_from_slice(b" HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n");
    r
}

/// One whole-buffer parse by httpwire.
pub fn ours(buf: &[u8]) -> usize {
    let mut headers = [Header::EMPTY; 64];
    match RequestParser::new().parse(buf, &mut headers) {
        Ok(Status::Complete(r)) => r.head_len + r.headers.len(),
        _ => panic!("httpwire rejected the bench input"),
    }
}

/// The same by httparse.
pub fn theirs(buf: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n + req.headers.len(),
        _ => panic!("httparse rejected the bench input"),
    }
}

/// `input` fed one byte more per call to one resumable parser (its
/// intended use when bytes trickle in).
pub fn ours_bytewise(input: &'static [u8], headers: &mut [Header<'static>]) -> usize {
    let mut parser = RequestParser::new();
    for end in 1..=input.len() {
        if let Ok(Status::Complete(r)) = parser.parse(std::hint::black_box(&input[..end]), headers)
        {
            return r.head_len;
        }
    }
    unreachable!("the bench inputs are complete requests")
}

/// The same with httparse, which parses from the start on each call (its
/// documented usage).
pub fn theirs_bytewise(input: &'static [u8], headers: &mut [httparse::Header<'static>]) -> usize {
    for end in 1..=input.len() {
        let mut req = httparse::Request::new(headers);
        if let Ok(httparse::Status::Complete(n)) = req.parse(std::hint::black_box(&input[..end])) {
            return n;
        }
    }
    unreachable!("the bench inputs are complete requests")
}
