//! Runs one head-parsing case of the benchmarks `N` times, for counting
//! instructions under `valgrind --tool=callgrind` (`benches/icount.sh`
//! runs it at two `N` and divides the difference, so start-up cancels out).
//! Instruction counts do not vary with the load of a shared machine, where
//! wall times do.
//!
//! ```sh
//! cargo run --release --example icount -- httpwire typical 1000
//! ```
//!
//! The cases are `benches/inputs.rs`'s (`small`, `post`, `typical`,
//! `many_headers`, `long_target`, `response_small`, `response_typical`)
//! with the parsers each has there, plus `bytewise` and
//! `bytewise_many_headers` (httpwire and httparse only).

use std::hint::black_box;
use std::process::ExitCode;

use httpwire::Header;

#[path = "../benches/inputs.rs"]
mod inputs;

const USAGE: &str = "usage: icount PARSER CASE N\n  \
PARSER: httpwire|httparse|pico (pipelined16 also: server_role|parser_and_serializer)\n  \
CASE: small|post|typical|many_headers|long_target|response_small|response_typical|\
bytewise|bytewise_many_headers|pipelined16";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [parser, case, n] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("icount: N must be a count, got {n:?}");
        return ExitCode::from(2);
    };
    let sum = match case.as_str() {
        "pipelined16" => {
            let input = inputs::pipelined();
            let mut out = [0u8; 256];
            let mut sum = 0usize;
            for _ in 0..n {
                sum = sum.wrapping_add(match parser.as_str() {
                    "httpwire" => inputs::pipelined_parser(black_box(&input)),
                    "server_role" => inputs::pipelined_server_role(black_box(&input), &mut out),
                    "parser_and_serializer" => {
                        inputs::pipelined_parser_and_serializer(black_box(&input), &mut out)
                    }
                    other => {
                        eprintln!("icount: no pipelined16 case for {other:?}\n{USAGE}");
                        return ExitCode::from(2);
                    }
                });
            }
            sum
        }
        "bytewise" | "bytewise_many_headers" => {
            // 'static, so that one header slice serves every call.
            let input: &'static [u8] = match case.as_str() {
                "bytewise" => inputs::TYPICAL,
                _ => Box::leak(inputs::many_headers().into_boxed_slice()),
            };
            let mut sum = 0usize;
            match parser.as_str() {
                "httpwire" => {
                    let mut headers = [Header::EMPTY; 64];
                    for _ in 0..n {
                        sum = sum.wrapping_add(inputs::ours_bytewise(input, &mut headers));
                    }
                }
                "httparse" => {
                    let mut headers = [httparse::EMPTY_HEADER; 64];
                    for _ in 0..n {
                        sum = sum.wrapping_add(inputs::theirs_bytewise(input, &mut headers));
                    }
                }
                other => {
                    eprintln!("icount: no bytewise case for {other:?}\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
            sum
        }
        name => {
            let Some(case) = inputs::cases().into_iter().find(|c| c.name == name) else {
                eprintln!("icount: unknown case {name:?}\n{USAGE}");
                return ExitCode::from(2);
            };
            // The parsers of the case's kind (request or response).
            let Some(p) = case.head.parsers().iter().find(|p| p.name == parser) else {
                eprintln!("icount: no parser {parser:?} for {name}\n{USAGE}");
                return ExitCode::from(2);
            };
            (p.repeat)(&case.bytes, n)
        }
    };
    black_box(sum);
    ExitCode::SUCCESS
}
