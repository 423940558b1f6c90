//! The parse path never allocates: a counting global allocator watches the
//! parser (whole buffer, byte by byte, errors), the body decoders and the
//! field lookups, and every count must stay zero.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use httpwire::{
    BodyDecoder, ChunkedDecoder, Decoded, Framing, Header, Limits, RequestParser, Status,
};

/// Counts allocations made by the current thread (tests run in parallel, on
/// threads of their own).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const TYPICAL: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg?a=%20b HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
X-Obs-Text: caf\xc3\xa9 \xff\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx\r\n\
Content-Length: 5\r\n\r\nhello";

const CHUNKED: &[u8] = b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
5\r\nhello\r\n10;ext=\"q\"\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n";

#[test]
fn whole_buffer_parse_does_not_allocate() {
    let mut headers = [Header::EMPTY; 32];
    let n = allocations(|| {
        let r = RequestParser::new().parse(TYPICAL, &mut headers).unwrap();
        let r = r.complete().unwrap();
        assert_eq!(r.framing, Framing::Length(5));
        assert_eq!(r.header("host"), Some(&b"www.kittyhell.com"[..]));
        assert!(r.keep_alive());
        assert_eq!(
            r.path(),
            "/wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg"
        );
    });
    assert_eq!(n, 0, "allocations while parsing a whole head");
}

#[test]
fn bytewise_parse_does_not_allocate() {
    let mut headers = [Header::EMPTY; 32];
    let n = allocations(|| {
        let mut parser = RequestParser::new();
        for end in 0..=TYPICAL.len() {
            if let Status::Complete(r) = parser.parse(&TYPICAL[..end], &mut headers).unwrap() {
                assert_eq!(r.headers.len(), 7);
                return;
            }
        }
        panic!("never completed");
    });
    assert_eq!(n, 0, "allocations while parsing byte by byte");
}

#[test]
fn rejections_do_not_allocate() {
    let bad: [&[u8]; 6] = [
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
        b"GET /a#b HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
    ];
    let mut headers = [Header::EMPTY; 8];
    for input in bad {
        let n = allocations(|| {
            let e = RequestParser::new().parse(input, &mut headers).unwrap_err();
            let _ = (e.kind(), e.offset(), e.status());
        });
        assert_eq!(n, 0, "allocations while rejecting {input:?}");
    }
}

#[test]
fn body_decoding_does_not_allocate() {
    let mut headers = [Header::EMPTY; 8];
    let n = allocations(|| {
        let r = RequestParser::new().parse(CHUNKED, &mut headers).unwrap();
        let r = r.complete().unwrap();
        let mut decoder = BodyDecoder::new(r.framing, &Limits::default());
        let mut rest = &CHUNKED[r.head_len..];
        let mut body_len = 0;
        loop {
            let (used, event) = decoder.decode(rest).unwrap();
            rest = &rest[used..];
            match event {
                Decoded::Data(d) => body_len += d.len(),
                Decoded::Trailer(_) => {}
                Decoded::Done => break,
                Decoded::NeedMore => panic!("the whole body is here"),
            }
        }
        assert_eq!(body_len, 21);
        // Byte by byte through the chunked decoder alone.
        let body = &CHUNKED[r.head_len..];
        let mut chunked = ChunkedDecoder::new();
        let mut pos = 0;
        for end in 0..=body.len() {
            while pos < end {
                let (used, event) = chunked.decode(&body[pos..end]).unwrap();
                pos += used;
                if matches!(event, Decoded::Done | Decoded::NeedMore) {
                    break;
                }
            }
        }
        assert!(chunked.is_done());
    });
    assert_eq!(n, 0, "allocations while decoding a body");
}

#[test]
fn the_counter_counts() {
    let n = allocations(|| {
        let v = std::hint::black_box(vec![1u8; 64]);
        drop(v);
    });
    assert_eq!(n, 1);
}
