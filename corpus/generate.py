#!/usr/bin/env python3
"""Writes the corpus: one raw request (or pipeline) per `.http` file, with its
expected outcome in an `.expect` sibling. Bytes are given as Python byte
strings, so CR, LF, NUL and obs-text are exact.

Run from anywhere: `python3 corpus/generate.py`. It rewrites every file it
knows and leaves other files alone. The expectations are written by hand from
RULES.md (strict profile), never copied from the parser's output; see
README.md for the `.expect` format.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

H = b"Host: example.com\r\n"
CHUNKED = b"POST /upload HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"


def req(method, target, version="HTTP/1.1", framing="none", body=0, trailers=0):
    return f"request {method} {target} {version} {framing} body={body} trailers={trailers}"


def err(name, status):
    return f"error {name} {status}"


def body_err(name, status):
    return f"body-error {name} {status}"


GET = req("GET", "/")

VALID = {
    # RL-1
    "get_simple": (b"GET / HTTP/1.1\r\n" + H + b"\r\n", "RL-1", [GET]),
    "head_simple": (b"HEAD /index.html HTTP/1.1\r\n" + H + b"\r\n", "RL-1", [req("HEAD", "/index.html")]),
    "post_content_length": (
        b"POST /echo HTTP/1.1\r\n" + H + b"Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
        "CL-1",
        [req("POST", "/echo", framing="length 11", body=11)],
    ),
    "cl_leading_zeros": (
        b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0005\r\n\r\nhello",
        "CL-2: decimal, not octal",
        [req("POST", "/echo", framing="length 5", body=5)],
    ),
    "post_chunked": (
        CHUNKED + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "TE-1, CH-1",
        [req("POST", "/upload", framing="chunked", body=11)],
    ),
    "post_chunked_trailers": (
        b"POST /upload HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Checksum: abc123\r\n\r\n",
        "CH-1, CH-2, TR-1",
        [req("POST", "/upload", framing="chunked", body=11, trailers=1)],
    ),
    "chunked_extensions": (
        CHUNKED + b"5 ; name = \"quoted ; value\" ; flag\r\nhello\r\n0;last=1\r\n\r\n",
        "CH-2, CH-3: extensions with BWS and quoted strings are parsed and ignored",
        [req("POST", "/upload", framing="chunked", body=5)],
    ),
    "chunked_data_holds_last_chunk": (
        CHUNKED + b"5\r\n0\r\n\r\n\r\n0\r\n\r\n",
        "CH-1: chunk data is opaque",
        [req("POST", "/upload", framing="chunked", body=5)],
    ),
    "te_empty_list_member": (
        b"POST /upload HTTP/1.1\r\n" + H + b"Transfer-Encoding: , chunked\r\n\r\n0\r\n\r\n",
        "TE-8",
        [req("POST", "/upload", framing="chunked")],
    ),
    "te_and_cl_htab_ows": (
        b"POST /upload HTTP/1.1\r\n" + H + b"Transfer-Encoding:\tchunked\t\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        "WS-3",
        [req("POST", "/upload", framing="chunked", body=2)],
    ),
    "absolute_form": (
        b"GET http://example.com/echo?x=1 HTTP/1.1\r\nHost: other.example\r\n\r\n",
        "TG-2, TG-3",
        [req("GET", "http://example.com/echo?x=1")],
    ),
    "options_asterisk": (b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", "TG-4", [req("OPTIONS", "*")]),
    "connect_authority": (
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "TG-5",
        [req("CONNECT", "example.com:443")],
    ),
    "host_ipv6_port": (b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "HO-4", [GET]),
    "http10_without_host": (b"GET / HTTP/1.0\r\n\r\n", "HO-5, VR-4", [req("GET", "/", version="HTTP/1.0")]),
    "http17_as_http11": (b"GET / HTTP/1.7\r\n" + H + b"\r\n", "VR-3", [GET]),
    "leading_empty_line": (b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n", "RL-5", [GET]),
    "field_values_ows_obs_text": (
        b"GET / HTTP/1.1\r\n" + H + b"X-Empty:\r\nX-Ows: \t a  b \t\r\nX-Utf8: caf\xc3\xa9\r\nX-Quoted: \"a, b\", c\r\n\r\n",
        "FV-1, FV-3, FV-4",
        [GET],
    ),
    "underscore_te_frames_by_cl": (
        b"POST /echo HTTP/1.1\r\n" + H + b"Transfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
        "SM-9",
        [req("POST", "/echo", framing="length 5", body=5)],
    ),
    "get_body_is_not_a_request": (
        b"GET / HTTP/1.1\r\n" + H + b"Content-Length: 37\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        "CL-7",
        [req("GET", "/", framing="length 37", body=37)],
    ),
    "cl_zero_then_request": (
        b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        "SM-10",
        [req("POST", "/echo", framing="length 0"), GET],
    ),
    "pipelined_three": (
        b"GET /1 HTTP/1.1\r\n" + H + b"\r\n"
        b"POST /2 HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello"
        b"HEAD /3 HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
        "PL-1, PL-2",
        [req("GET", "/1"), req("POST", "/2", framing="length 5", body=5), req("HEAD", "/3")],
    ),
    "pipelined_chunked_trailers_then_get": (
        CHUNKED + b"3\r\nabc\r\n0\r\nContent-Length: 99\r\n\r\n" + b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        "CH-10, TR-3, PL-4",
        [req("POST", "/upload", framing="chunked", body=3, trailers=1), GET],
    ),
    "expect_continue": (
        b"PUT /file HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\ndata",
        "PL-5",
        [req("PUT", "/file", framing="length 4", body=4)],
    ),
    "fields_100": (
        b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-F%d: %d\r\n" % (i, i) for i in range(1, 100)) + b"\r\n",
        "LM-4, LM-5: 100 field lines are within the limit",
        [GET],
    ),
    "request_line_8000": (
        b"GET /" + b"a" * (8000 - len("GET / HTTP/1.1")) + b" HTTP/1.1\r\n" + H + b"\r\n",
        "LM-1",
        [req("GET", "/" + "a" * (8000 - len("GET / HTTP/1.1")))],
    ),
}

INVALID = {
    # Line endings
    "bare_lf_request_line": (b"GET / HTTP/1.1\n" + H + b"\r\n", "LE-1", [err("bare_lf", 400)]),
    "bare_lf_field_line": (b"GET / HTTP/1.1\r\n" + H + b"X: y\n\r\n", "LE-1", [err("bare_lf", 400)]),
    "bare_cr_field_value": (b"GET / HTTP/1.1\r\n" + H + b"X: a\rb\r\n\r\n", "LE-2", [err("bare_cr", 400)]),
    "bare_cr_request_line": (b"GET / HTTP/1.1\r" + H + b"\r\n", "LE-2", [err("bare_cr", 400)]),
    # Request-line
    "double_space": (b"GET  / HTTP/1.1\r\n" + H + b"\r\n", "RL-2", [err("invalid_request_line_whitespace", 400)]),
    "method_not_token": (b"G(T / HTTP/1.1\r\n" + H + b"\r\n", "RL-3", [err("invalid_method", 400)]),
    "method_too_long": (b"M" * 100 + b" / HTTP/1.1\r\n" + H + b"\r\n", "LM-9", [err("method_too_long", 501)]),
    "http09_request": (b"GET /index.html\r\n\r\n", "RL-8", [err("missing_version", 400)]),
    "request_line_too_long": (
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n",
        "LM-2",
        [err("request_line_too_long", 414)],
    ),
    # Versions
    "version_http2": (b"GET / HTTP/2.0\r\n" + H + b"\r\n", "VR-2", [err("unsupported_version", 505)]),
    "version_http09": (b"GET / HTTP/0.9\r\n" + H + b"\r\n", "VR-2", [err("unsupported_version", 505)]),
    "version_lowercase": (b"GET / http/1.1\r\n" + H + b"\r\n", "VR-1", [err("invalid_version", 400)]),
    "version_two_digit_minor": (b"GET / HTTP/1.10\r\n" + H + b"\r\n", "VR-1", [err("invalid_version", 400)]),
    # Targets and Host
    "target_fragment": (b"GET /a#frag HTTP/1.1\r\n" + H + b"\r\n", "TG-8", [err("target_fragment", 400)]),
    "target_bad_escape": (b"GET /a%zz HTTP/1.1\r\n" + H + b"\r\n", "TG-8", [err("invalid_percent_encoding", 400)]),
    "target_utf8": (b"GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + b"\r\n", "TG-7", [err("invalid_target", 400)]),
    "target_brackets": (b"GET /[x] HTTP/1.1\r\n" + H + b"\r\n", "TG-1: [ ] are not pchar", [err("invalid_target", 400)]),
    "target_userinfo": (
        b"GET http://user@example.com/ HTTP/1.1\r\n" + H + b"\r\n",
        "TG-9",
        [err("target_userinfo", 400)],
    ),
    "asterisk_with_get": (b"GET * HTTP/1.1\r\n" + H + b"\r\n", "TG-4", [err("target_form_mismatch", 400)]),
    "authority_with_get": (
        b"GET example.com:443 HTTP/1.1\r\n" + H + b"\r\n",
        "TG-5",
        [err("target_form_mismatch", 400)],
    ),
    "missing_host": (b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "HO-1", [err("missing_host", 400)]),
    "duplicate_host": (b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", "HO-2", [err("duplicate_host", 400)]),
    "host_userinfo": (b"GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", "HO-3", [err("invalid_host", 400)]),
    # Field lines
    "space_before_colon": (b"GET / HTTP/1.1\r\nHost : example.com\r\n\r\n", "FN-2", [err("whitespace_before_colon", 400)]),
    "empty_field_name": (b"GET / HTTP/1.1\r\n" + H + b": x\r\n\r\n", "FN-3", [err("empty_header_name", 400)]),
    "field_without_colon": (b"GET / HTTP/1.1\r\n" + H + b"NoColon\r\n\r\n", "FN-4", [err("missing_colon", 400)]),
    "nul_in_value": (b"GET / HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", "FV-2", [err("invalid_header_value", 400)]),
    "ctl_in_value": (b"GET / HTTP/1.1\r\n" + H + b"X: a\x1bb\r\n\r\n", "FV-5", [err("invalid_header_value", 400)]),
    "obs_fold": (b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", "OF-1", [err("obs_fold", 400)]),
    "ws_before_first_field": (b"GET / HTTP/1.1\r\n Host: example.com\r\n\r\n", "OF-2", [err("obs_fold", 400)]),
    "folded_te_hidden": (
        b"POST / HTTP/1.1\r\n" + H + b"X-T: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
        "OF-3",
        [err("obs_fold", 400)],
    ),
    "too_many_fields": (
        b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-F%d: %d\r\n" % (i, i) for i in range(1, 101)) + b"\r\n",
        "LM-4: 101 field lines",
        [err("too_many_headers", 431)],
    ),
    # Content-Length
    "cl_te_smuggle": (
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED",
        "SM-1",
        [err("content_length_with_transfer_encoding", 400)],
    ),
    "te_cl_smuggle": (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
        "SM-1",
        [err("content_length_with_transfer_encoding", 400)],
    ),
    "cl_duplicate_equal": (
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "CL-5",
        [err("duplicate_content_length", 400)],
    ),
    "cl_list": (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5, 5\r\n\r\nhello", "CL-5", [err("duplicate_content_length", 400)]),
    "cl_negative": (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\nhello", "CL-3", [err("invalid_content_length", 400)]),
    "cl_overflow_wraps_to_5": (
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 18446744073709551621\r\n\r\nhello",
        "CL-6",
        [err("content_length_overflow", 400)],
    ),
    "cl_over_body_limit": (
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1099511627776\r\n\r\n",
        "LM-6",
        [err("body_too_large", 413)],
    ),
    # Transfer-Encoding
    "te_gzip_chunked": (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "TE-4",
        [err("unsupported_transfer_coding", 501)],
    ),
    "te_chunked_not_final": (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "TE-3",
        [err("transfer_encoding_not_chunked", 400)],
    ),
    "te_chunked_twice": (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "TE-5",
        [err("chunked_applied_twice", 400)],
    ),
    "te_chunked_with_parameter": (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
        "TE-6",
        [err("chunked_with_parameters", 400)],
    ),
    "te_in_http10": (
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "TE-7",
        [err("transfer_encoding_in_http10", 400)],
    ),
    # Chunked bodies
    "chunk_size_overflow": (
        CHUNKED + b"10000000000000005\r\nhello\r\n0\r\n\r\n",
        "CH-4, SM-5",
        [body_err("chunk_size_overflow", 400)],
    ),
    "chunk_size_0x": (CHUNKED + b"0x5\r\nhello\r\n0\r\n\r\n", "CH-5", [body_err("invalid_chunk_size", 400)]),
    "chunk_size_trailing_space": (CHUNKED + b"5 \r\nhello\r\n0\r\n\r\n", "CH-5", [body_err("invalid_chunk_size", 400)]),
    "chunk_line_bare_lf": (CHUNKED + b"5\nhello\r\n0\r\n\r\n", "CH-7, LE-3", [body_err("invalid_chunk_line_ending", 400)]),
    "chunk_line_cr_cr": (CHUNKED + b"2\r\r;a\r\nhi\r\n0\r\n\r\n", "SM-8", [body_err("invalid_chunk_line_ending", 400)]),
    "chunk_data_longer_than_size": (
        CHUNKED + b"3\r\nhello\r\n0\r\n\r\n",
        "CH-6",
        [body_err("missing_chunk_data_crlf", 400)],
    ),
    "chunk_ext_unclosed_quote": (
        CHUNKED + b"5;a=\"b\r\nhello\r\n0\r\n\r\n",
        "CH-8",
        [body_err("invalid_chunk_extension", 400)],
    ),
    "trailer_obs_fold": (CHUNKED + b"0\r\nX: 1\r\n 2\r\n\r\n", "TR-2", [body_err("obs_fold", 400)]),
    "request_line_in_trailers": (
        CHUNKED + b"0\r\nGET / HTTP/1.1\r\n\r\n",
        "CH-9",
        [body_err("missing_colon", 400)],
    ),
    # Pipelines that go wrong part-way
    "pipelined_then_invalid": (
        b"GET /1 HTTP/1.1\r\n" + H + b"\r\nGET /2 HTTP/1.1\r\nHost : example.com\r\n\r\n",
        "PL-6, RL-7",
        [req("GET", "/1"), err("whitespace_before_colon", 400)],
    ),
    "no_resync_after_error": (
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 37\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        "SM-4, SM-11: one error, nothing parsed after it",
        [err("duplicate_content_length", 400)],
    ),
}


def write(kind, name, data, rule, expect):
    d = ROOT / kind
    d.mkdir(exist_ok=True)
    (d / f"{name}.http").write_bytes(data)
    (d / f"{name}.expect").write_text(f"# {rule}\n" + "".join(line + "\n" for line in expect))


def main():
    for name, (data, rule, expect) in VALID.items():
        write("valid", name, data, rule, expect)
    for name, (data, rule, expect) in INVALID.items():
        write("invalid", name, data, rule, expect)
    print(f"{len(VALID)} valid and {len(INVALID)} invalid files written")


if __name__ == "__main__":
    main()
