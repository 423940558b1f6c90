//! `h1probe`: sends the server-level conformance cases over TCP to any
//! HTTP/1.1 server and judges what comes back.
//!
//! ```sh
//! cargo run --release --bin h1probe -- 127.0.0.1:40000
//! ```
//!
//! The cases are the repository's own (`tests/cases/*.md`, compiled in).
//! A valid request passes when it is answered without a parse error and
//! the connection stays in step (a follow-up request is answered after
//! it); an invalid one passes when it gets an error status or a close and
//! is never answered as two requests. Each case is marked MUST, SHOULD or
//! profile (our strict choice where the RFC leaves room): by default only
//! the MUST cases are judged, `--strict` adds the rest. The exit code is 1
//! when a judged case failed.

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod judge;
mod probes;

use judge::{judge, Target, Verdict};
use probes::{Level, ProbeCase};

const HELP: &str = "\
h1probe: checks an HTTP/1.1 server against httpwire's conformance cases

USAGE:
    h1probe [OPTIONS] HOST:PORT

OPTIONS:
        --strict          judge the SHOULD and profile cases too (default: MUST only)
        --path <PATH>     the target of valid requests and of the follow-up [default: /]
        --timeout <MS>    the longest wait for a response, in milliseconds [default: 2000]
        --only <TEXT>     only the cases whose name or rule contains TEXT
        --json            one JSON object per case on stdout instead of the table
    -h, --help            print this help

Requests go only to HOST:PORT. Exit code: 0 when every judged case passed,
1 when one failed, 2 on a usage error.
";

struct Args {
    addr: SocketAddr,
    strict: bool,
    json: bool,
    path: String,
    timeout: Duration,
    only: Option<String>,
}

fn parse_args() -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let (mut strict, mut json, mut path, mut timeout, mut only) =
        (false, false, "/".to_string(), 2000u64, None);
    let mut addr = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("strict") => strict = true,
            Long("json") => json = true,
            Long("path") => path = parser.value()?.string()?,
            Long("timeout") => timeout = parser.value()?.parse()?,
            Long("only") => only = Some(parser.value()?.string()?),
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(None);
            }
            Value(v) if addr.is_none() => addr = Some(v.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    let Some(addr) = addr else {
        return Err("missing HOST:PORT".into());
    };
    let addr = addr
        .to_socket_addrs()
        .map_err(|e| format!("{addr}: {e}"))?
        .next()
        .ok_or_else(|| format!("{addr}: no address"))?;
    if !path.starts_with('/') {
        return Err(format!("--path {path:?}: must start with /").into());
    }
    Ok(Some(Args {
        addr,
        strict,
        json,
        path,
        timeout: Duration::from_millis(timeout.max(1)),
        only,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("h1probe: {e}\nTry 'h1probe --help'.");
            return ExitCode::from(2);
        }
    };
    let target = Target {
        addr: args.addr,
        path: args.path.clone(),
        timeout: args.timeout,
        quiet: Duration::from_millis(100).min(args.timeout),
    };
    let cases: Vec<ProbeCase> = probes::all(&args.path)
        .into_iter()
        .filter(|c| args.strict || c.level == Level::Must)
        .filter(|c| {
            args.only.as_deref().map_or(true, |t| {
                c.name.contains(t) || c.rules.iter().any(|r| r.contains(t))
            })
        })
        .collect();
    if cases.is_empty() {
        eprintln!(
            "h1probe: no case matches --only {:?}",
            args.only.unwrap_or_default()
        );
        return ExitCode::from(2);
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for case in &cases {
        let started = Instant::now();
        let verdict = judge(&case.probe, &target);
        let took = started.elapsed();
        if verdict.pass {
            passed += 1;
        } else {
            failed += 1;
        }
        if args.json {
            println!("{}", json_line(case, &verdict, took));
        } else {
            println!(
                "{}  {:<7}  {:<12}  {:<48}  {}",
                if verdict.pass { "pass" } else { "FAIL" },
                case.level.name(),
                case.rules.join(","),
                case.name,
                verdict.detail
            );
        }
    }
    if !args.json {
        println!("{passed} passed, {failed} failed");
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One case's result as a JSON object.
fn json_line(case: &ProbeCase, verdict: &Verdict, took: Duration) -> String {
    let rules: Vec<String> = case.rules.iter().map(|r| json_string(r)).collect();
    format!(
        "{{\"name\":{},\"rules\":[{}],\"level\":{},\"pass\":{},\"detail\":{},\"ms\":{}}}",
        json_string(&case.name),
        rules.join(","),
        json_string(case.level.name()),
        verdict.pass,
        json_string(&verdict.detail),
        took.as_millis()
    )
}

/// A JSON string literal (RFC 8259 §7): quotes, backslashes and control
/// characters escaped.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
