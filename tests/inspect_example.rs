//! The `inspect` example, run as a user runs it: one request on stdin, one
//! line of JSON on stdout. `cargo test` builds examples next to the test
//! binaries, so the test finds it there.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn inspect_binary() -> PathBuf {
    // target/<profile>/deps/<this test> → target/<profile>/examples/inspect
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    profile_dir
        .join("examples")
        .join(format!("inspect{}", std::env::consts::EXE_SUFFIX))
}

fn inspect(input: &[u8]) -> String {
    inspect_with(&[], input)
}

fn inspect_with(args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(inspect_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the inspect example is built by cargo test");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn valid_request_with_chunked_body_and_trailer() {
    let out = inspect(
        b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;a=\"b\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\nGET / HTTP/1.1\r\n",
    );
    assert_eq!(
        out,
        r#"{"ok":true,"method":"POST","target":"/x","version":"HTTP/1.1","headers":[["Host","a"],["Transfer-Encoding","chunked"]],"body":"hello","trailers":[["X-T","1"]],"consumed":86}"#
    );
}

#[test]
fn errors_carry_kind_status_and_offset() {
    let out =
        inspect(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx");
    assert!(
        out.starts_with(
            r#"{"ok":false,"error":"duplicate_content_length","status":400,"offset":44,"#
        ),
        "{out}"
    );
    let out = inspect(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n");
    assert!(
        out.contains(r#""error":"unsupported_version","status":505"#),
        "{out}"
    );
}

#[test]
fn unimplemented_and_lower_case_methods_are_501() {
    for method in ["get", "FROBNICATE"] {
        let out = inspect(format!("{method} /x HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes());
        assert!(
            out.starts_with(r#"{"ok":false,"error":"method_not_implemented","status":501"#),
            "{method}: {out}"
        );
    }
}

#[test]
fn input_ending_early_is_incomplete() {
    let out = inspect(b"GET / HTTP/1.1\r\nHost: a\r\n");
    assert!(
        out.contains(r#""error":"incomplete_head","status":400"#),
        "{out}"
    );
    let out = inspect(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhi");
    assert!(
        out.contains(r#""error":"incomplete_body","status":400"#),
        "{out}"
    );
}

#[test]
fn json_escapes_quotes_and_backslashes_and_replaces_invalid_utf8() {
    let out = inspect(b"GET / HTTP/1.1\r\nHost: a\r\nX-Q: say \"hi\" \\ \xff\r\n\r\n");
    let expected = format!(r#"["X-Q","say \"hi\" \\ {}"]"#, char::REPLACEMENT_CHARACTER);
    assert!(out.contains(&expected), "{out}");
}

#[test]
fn response_framed_by_its_request_method() {
    let res = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    assert_eq!(
        inspect_with(&["--response"], res),
        "{\"ok\":true,\"status\":200,\"reason\":\"OK\",\"version\":\"HTTP/1.1\",\
         \"headers\":[[\"Content-Length\",\"5\"]],\"framing\":\"length 5\",\
         \"close_after\":false,\"keep_alive\":true,\"body\":\"hello\",\"trailers\":[],\
         \"consumed\":43}"
    );
    // The same head answering HEAD has no body: the 5 bytes are not read.
    let head = inspect_with(&["--response", "--method", "HEAD"], res);
    assert!(
        head.contains("\"framing\":\"none\"") && head.ends_with("\"consumed\":38}"),
        "{head}"
    );
}

#[test]
fn response_read_to_the_close_or_cut_short() {
    // RULES RS-10: neither field, so the body runs to the end of the input.
    let out = inspect_with(&["--response"], b"HTTP/1.0 200 OK\r\n\r\nall of it");
    assert!(
        out.contains("\"framing\":\"close-delimited\",\"close_after\":true")
            && out.contains("\"body\":\"all of it\""),
        "{out}"
    );
    // A Content-Length body cut short by the close (RULES CL-9).
    let out = inspect_with(
        &["--response"],
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
    );
    assert!(
        out.starts_with("{\"ok\":false,\"error\":\"incomplete_body\""),
        "{out}"
    );
    // A bad status line is the parser's error, with its status (502).
    let out = inspect_with(&["--response"], b"HTTP/1.1 20 OK\r\n\r\n");
    assert!(
        out.starts_with("{\"ok\":false,\"error\":\"invalid_status_code\",\"status\":502"),
        "{out}"
    );
}
