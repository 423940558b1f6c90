//! Criterion benchmarks of the hot paths, each with its peers in the same
//! group: httparse and picohttpparser for head parsing, `memcpy` for body
//! de-framing, `write!` into a `Vec` for serializing.
//!
//! `cargo bench --bench parse` runs them all; `benches/report.py` turns
//! `target/criterion/**/new/estimates.json` into BENCHMARKS.md. Criterion
//! runs one benchmark after another; `benches/race.rs` interleaves the
//! head parsers instead, for ratios that a load change cannot skew.

use std::hint::black_box;
use std::io::Write as _;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

#[path = "inputs.rs"]
mod inputs;
use httpwire::serialize::ResponseHead;
use httpwire::{ChunkedDecoder, Decoded, Framing, Header};
use inputs::{cases, ours_bytewise, theirs_bytewise, TYPICAL};

fn parse_head(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_head");
    for case in cases() {
        let parsers = case.head.parsers();
        let expected = (parsers[0].parse)(&case.bytes);
        for p in parsers {
            assert_eq!(
                (p.parse)(&case.bytes),
                expected,
                "{}: every parser must parse it alike",
                case.name
            );
        }
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        for p in parsers {
            group.bench_with_input(BenchmarkId::new(p.name, case.name), &case.bytes, |b, i| {
                // The parser's own loop, so its call inlines (see `Parser::repeat`).
                b.iter_custom(|n| {
                    let start = Instant::now();
                    black_box((p.repeat)(i, n));
                    start.elapsed()
                })
            });
        }
    }
    group.finish();
}

fn parse_head_bytewise(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_head_bytewise");
    group.throughput(Throughput::Bytes(TYPICAL.len() as u64));
    group.bench_function("httpwire", |b| {
        // The input is 'static, so one header slice serves every call.
        let mut headers = [Header::EMPTY; 64];
        b.iter(|| ours_bytewise(TYPICAL, &mut headers))
    });
    group.bench_function("httparse", |b| {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        b.iter(|| theirs_bytewise(TYPICAL, &mut headers))
    });
    group.finish();
}

/// A 1 MiB body chunked into `chunk` byte pieces.
fn chunked_body(total: usize, chunk: usize) -> Vec<u8> {
    let data: Vec<u8> = (0..total).map(|i| b'a' + (i % 26) as u8).collect();
    let mut out = Vec::with_capacity(total + total / chunk * 8 + 16);
    for piece in data.chunks(chunk) {
        write!(out, "{:x}\r\n", piece.len()).unwrap();
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn decode_all(input: &[u8], sink: &mut [u8]) -> usize {
    let mut decoder = ChunkedDecoder::new();
    let mut pos = 0;
    let mut written = 0;
    loop {
        let (used, event) = decoder.decode(&input[pos..]).expect("valid chunked body");
        pos += used;
        match event {
            Decoded::Data(d) => {
                sink[written..written + d.len()].copy_from_slice(d);
                written += d.len();
            }
            Decoded::Trailer(_) => {}
            Decoded::Done => return written,
            Decoded::NeedMore => unreachable!(),
        }
    }
}

fn chunked_decode(c: &mut Criterion) {
    const MIB: usize = 1024 * 1024;
    let mut group = c.benchmark_group("chunked_decode");
    group.throughput(Throughput::Bytes(MIB as u64));
    let mut sink = vec![0u8; MIB];
    for (name, chunk) in [
        ("one_chunk", MIB),
        ("1024_chunks", 1024),
        ("16_byte_chunks", 16),
    ] {
        let body = chunked_body(MIB, chunk);
        assert_eq!(decode_all(&body, &mut sink), MIB);
        group.bench_function(BenchmarkId::new("httpwire", name), |b| {
            b.iter(|| decode_all(black_box(&body), &mut sink))
        });
    }
    let plain = vec![b'a'; MIB];
    group.bench_function(BenchmarkId::new("memcpy", "floor"), |b| {
        b.iter(|| sink.copy_from_slice(black_box(&plain)))
    });
    group.finish();
}

fn serialize_response(c: &mut Criterion) {
    let headers = [
        Header {
            name: "Content-Type",
            value: b"text/plain; charset=utf-8",
        },
        Header {
            name: "Date",
            value: b"Wed, 25 Nov 2026 22:19:18 GMT",
        },
        Header {
            name: "Server",
            value: b"httpwire",
        },
        Header {
            name: "Cache-Control",
            value: b"no-cache",
        },
        Header {
            name: "X-Request-Id",
            value: b"4f2c8a1e-77d9-4a3b-9c1d-0e5b6a7f8c90",
        },
        Header {
            name: "Connection",
            value: b"keep-alive",
        },
    ];
    let head = ResponseHead {
        status: 200,
        reason: None,
        headers: &headers,
        framing: Framing::Length(5),
    };
    let mut group = c.benchmark_group("serialize_response");
    let mut out = [0u8; 512];
    let len = head.encode(&mut out).unwrap();
    let mut expected = Vec::new();
    write!(expected, "HTTP/1.1 200 OK\r\n").unwrap();
    for h in &headers {
        write!(
            expected,
            "{}: {}\r\n",
            h.name,
            std::str::from_utf8(h.value).unwrap()
        )
        .unwrap();
    }
    write!(expected, "Content-Length: 5\r\n\r\n").unwrap();
    assert_eq!(&out[..len], &expected[..], "both must write the same bytes");
    group.throughput(Throughput::Bytes(len as u64));
    group.bench_function("httpwire", |b| {
        b.iter(|| black_box(&head).encode(&mut out).unwrap())
    });
    group.bench_function("write_macro", |b| {
        b.iter(|| {
            let mut v = Vec::with_capacity(512);
            let (h, status, reason) = black_box((&headers, 200u16, "OK"));
            write!(v, "HTTP/1.1 {status} {reason}\r\n").unwrap();
            for f in h {
                write!(
                    v,
                    "{}: {}\r\n",
                    f.name,
                    std::str::from_utf8(f.value).unwrap()
                )
                .unwrap();
            }
            write!(v, "Content-Length: {}\r\n\r\n", 5).unwrap();
            v
        })
    });
    group.finish();
}

/// The pipelined stream (16 `GET /echo/hello`) through the bare parser and
/// through the server role of the sans-IO connection, which also answers
/// each request (with a 204): what the connection's bookkeeping costs.
fn pipelined(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipelined16");
    let input = inputs::pipelined();
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("parser", |b| {
        b.iter(|| inputs::pipelined_parser(black_box(&input)))
    });
    let mut out = [0u8; 256];
    group.bench_function("parser_and_serializer", |b| {
        b.iter(|| inputs::pipelined_parser_and_serializer(black_box(&input), &mut out))
    });
    group.bench_function("server_role", |b| {
        b.iter(|| inputs::pipelined_server_role(black_box(&input), &mut out))
    });
    group.finish();
}

criterion_group!(
    benches,
    parse_head,
    pipelined,
    parse_head_bytewise,
    chunked_decode,
    serialize_response
);
criterion_main!(benches);
