//! Runs one head-parsing case of the benchmarks `N` times, for counting
//! instructions under `valgrind --tool=callgrind` (`benches/icount.sh`
//! runs it at two `N` and divides the difference, so start-up cancels out).
//! Instruction counts do not vary with the load of a shared machine, where
//! wall times do.
//!
//! ```sh
//! cargo run --release --example icount -- httpwire typical 1000
//! ```

use std::hint::black_box;
use std::process::ExitCode;

use httpwire::Header;

#[path = "../benches/inputs.rs"]
mod inputs;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [parser, case, n] = args.as_slice() else {
        eprintln!(
            "usage: icount httpwire|httparse \
             small|typical|many_headers|long_target|bytewise|bytewise_many_headers N"
        );
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("icount: N must be a count, got {n:?}");
        return ExitCode::from(2);
    };
    // 'static, so that one header slice serves every bytewise call.
    let many: &'static [u8] = Box::leak(inputs::many_headers().into_boxed_slice());
    let long = inputs::long_target();
    let input: &[u8] = match case.as_str() {
        "small" => inputs::SMALL,
        "typical" | "bytewise" => inputs::TYPICAL,
        "many_headers" | "bytewise_many_headers" => many,
        "long_target" => &long,
        other => {
            eprintln!("icount: unknown case {other:?}");
            return ExitCode::from(2);
        }
    };
    let mut sum = 0usize;
    let bytewise: Option<&'static [u8]> = match case.as_str() {
        "bytewise" => Some(inputs::TYPICAL),
        "bytewise_many_headers" => Some(many),
        _ => None,
    };
    match (parser.as_str(), bytewise) {
        ("httpwire", Some(input)) => {
            let mut headers = [Header::EMPTY; 64];
            for _ in 0..n {
                sum = sum.wrapping_add(inputs::ours_bytewise(input, &mut headers));
            }
        }
        ("httparse", Some(input)) => {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            for _ in 0..n {
                sum = sum.wrapping_add(inputs::theirs_bytewise(input, &mut headers));
            }
        }
        ("httpwire", _) => {
            for _ in 0..n {
                sum = sum.wrapping_add(inputs::ours(black_box(input)));
            }
        }
        ("httparse", _) => {
            for _ in 0..n {
                sum = sum.wrapping_add(inputs::theirs(black_box(input)));
            }
        }
        (other, _) => {
            eprintln!("icount: unknown parser {other:?}");
            return ExitCode::from(2);
        }
    }
    black_box(sum);
    ExitCode::SUCCESS
}
