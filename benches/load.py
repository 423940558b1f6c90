#!/usr/bin/env python3
"""httpwire next to nginx under wrk; run through benches/load.sh.

Both servers run on 127.0.0.1 on free ports. nginx is Debian's, with one
worker process, access log off, its own prefix, pid and log paths, and

    location ~ ^/echo/(.*)$ { default_type text/plain; return 200 $1; }

Each round runs every scenario against both servers in turn (the order
flips every round); the table has the median over rounds. Then 1,000 idle
keep-alive connections are opened to each and resident memory is read from
/proc. The results replace the `wrk` part of the ## Load section of
BENCHMARKS.md, and benches/load.svg (requests/s per scenario, httpwire next
to nginx) is drawn from the same figures.

`python3 benches/load.py --chart-only` redraws benches/load.svg from the
table already in BENCHMARKS.md (and puts the chart's reference there if it is
missing), without running anything.
"""
import argparse
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadlib  # noqa: E402
import svgchart  # noqa: E402

LOAD_SVG = Path(__file__).resolve().parent / "load.svg"
CHART_LINE = "![Requests per second, httpwire next to nginx, per scenario (longer is faster)](benches/load.svg)"
TABLE_HEAD = "| scenario | httpwire req/s | nginx req/s |"

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 4096; }}
worker_rlimit_nofile 16384;
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/echo/(.*)$ {{ default_type text/plain; return 200 $1; }}
    }}
}}
"""

POST_LUA = """\
wrk.method = "POST"
wrk.body = string.rep("x", 4096)
wrk.headers["Content-Type"] = "text/plain"
"""

# Sixteen GETs sent back to back on each connection before their answers
# are read (wrk counts every response).
PIPELINE_LUA = """\
init = function(args)
    local r = {}
    for i = 1, 16 do r[i] = wrk.format(nil, "/echo/hello") end
    pipelined = table.concat(r)
end
request = function() return pipelined end
"""

# `Connection: close` on every request: a new connection per request.
CLOSE_LUA = """\
wrk.headers["Connection"] = "close"
"""

# (name, connections, wrk script or None)
SCENARIOS = [
    ("GET -c1", 1, None),
    ("GET -c50", 50, None),
    ("GET -c500", 500, None),
    ("POST 4 KiB -c50", 50, "post"),
    ("GET pipelined 16 -c256", 256, "pipeline"),
    ("GET close -c50", 50, "close"),
]

# The targets of issue 12, as the minimum ratio of requests/s, ours/nginx:
# every scenario at least nginx's, pipelining four times it.
TARGETS = {name: 4.0 if script == "pipeline" else 1.0 for name, _, script in SCENARIOS}
# Our p99 at most nginx's.
P99_LIMIT = 1.0
RSS_LIMIT_KIB = 64 * 1024


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url, conns, duration, script):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "p50": to_ms(p50.group(1)),
        "p99": to_ms(p99.group(1)),
        "errors": (errors.group(1).strip() if errors else "")
        + (f" non-2xx {non2xx.group(1)}" if non2xx else ""),
    }


def strace_counts(pids, run):
    """System calls made by the processes `pids` (every thread) while
    `run()` runs, by name, from `strace -c -f`; with what `run()` returned.
    strace slows the servers down, which changes how many requests are
    served, not the calls each costs."""
    out = Path(tempfile.mkstemp(prefix="httpwire-strace-")[1])
    argv = ["strace", "-c", "-f", "-q", "-o", str(out)]
    for pid in pids:
        argv += ["-p", str(pid)]
    tracer = loadlib.start(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attached to every thread before the load starts
    try:
        result = run()
    finally:
        loadlib.stop(tracer, sig=signal.SIGINT, wait=10)
    calls = {}
    for line in out.read_text().splitlines():
        fields = line.split()
        # "% time  seconds  usecs/call  calls  [errors]  syscall"
        if len(fields) in (5, 6) and fields[3].isdigit() and fields[-1] != "total":
            calls[fields[-1]] = calls.get(fields[-1], 0) + int(fields[3])
    out.unlink()
    return calls, result


def per_request(calls, requests):
    """`calls` as '2.01: recvfrom 1.00, sendto 1.00, ...' per request
    (calls under 0.01 per request left out of the list, not the total)."""
    n = max(requests, 1)
    total = sum(calls.values()) / n
    listed = sorted(((c / n, name) for name, c in calls.items() if c / n >= 0.01), reverse=True)
    return f"{total:.2f}: " + ", ".join(f"{name} {x:.2f}" for x, name in listed)


def idle_rss(pids, port, count=1000):
    """Opens `count` keep-alive connections, each after one request, and
    returns the summed VmRSS (KiB) of `pids` and the threads of the first
    while they sit idle."""
    socks = []
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /echo/hello HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            while not got.endswith(b"hello"):
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError("a connection closed during the memory test")
                got += chunk
            socks.append(s)
        time.sleep(1.0)
        # Still open? A closed one would read EOF at once.
        for s in socks:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    raise RuntimeError("a keep-alive connection was closed while idle")
            except BlockingIOError:
                pass
        rss = sum(loadlib.proc_status(p, "VmRSS") or 0 for p in pids)
        return rss, loadlib.proc_status(pids[0], "Threads")
    finally:
        for s in socks:
            s.close()


def load_chart(rows):
    """rows: (scenario, httpwire req/s, nginx req/s) -> the SVG."""
    return svgchart.bar_chart(
        "httpwire next to nginx (wrk)",
        "requests per second, median over the rounds; longer is faster",
        [name for name, _, _ in rows],
        ["httpwire", "nginx"],
        [[ours, ngx] for _, ours, ngx in rows],
        lambda rps: f"{rps:,.0f}",
    )


def redraw_chart():
    """benches/load.svg from the wrk table in BENCHMARKS.md, as recorded."""
    doc = loadlib.BENCHMARKS.read_text()
    begin, end = "<!-- load-wrk:begin -->", "<!-- load-wrk:end -->"
    rows = [
        (cells[0], svgchart.number(cells[1]), svgchart.number(cells[2]))
        for cells in svgchart.markdown_rows(doc, begin, end)
    ]
    if not rows:
        raise SystemExit(f"no wrk table between the load-wrk markers in {loadlib.BENCHMARKS}")
    LOAD_SVG.write_text(load_chart(rows))
    if CHART_LINE not in doc:
        head, rest = doc.split(begin, 1)
        inside, tail = rest.split(end, 1)
        inside = inside.replace(TABLE_HEAD, CHART_LINE + "\n\n" + TABLE_HEAD, 1)
        loadlib.BENCHMARKS.write_text(head + begin + inside + end + tail)
    print(f"chart: {LOAD_SVG} ({len(rows)} scenarios, from {loadlib.BENCHMARKS.name})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", help="the httpwire binary (required unless --chart-only)")
    ap.add_argument("--chart-only", action="store_true",
                    help="redraw benches/load.svg from BENCHMARKS.md; run nothing")
    # Both servers move by ±15% between runs on this shared machine: five
    # rounds give a steadier median than three.
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    # One worker waiting for events, as nginx runs here with one worker
    # process; `--workers 0` leaves httpwire's default (the CPU count).
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--io-model", choices=["events", "threads"], default="events")
    ap.add_argument("--no-syscalls", action="store_true",
                    help="skip the system calls per request (strace -c; installed by load.sh)")
    # One scenario (or a few) measured alone, to study it. The table then
    # has only those rows, so it is printed and not written (it would replace
    # the full one in BENCHMARKS.md).
    ap.add_argument("--only", action="append", metavar="NAME",
                    choices=[name for name, _, _ in SCENARIOS],
                    help="run only this scenario (repeatable), e.g. --only 'GET close -c50'")
    args = ap.parse_args()
    if args.chart_only:
        redraw_chart()
        return
    if not args.bin:
        ap.error("--bin is required")
    scenarios = [s for s in SCENARIOS if not args.only or s[0] in args.only]
    loadlib.raise_fd_limit()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    work = Path(tempfile.mkdtemp(prefix="httpwire-load-"))
    scripts = {}
    for kind, text in (("post", POST_LUA), ("pipeline", PIPELINE_LUA), ("close", CLOSE_LUA)):
        scripts[kind] = work / f"{kind}.lua"
        scripts[kind].write_text(text)
    uptime_before = loadlib.uptime()

    ours_args = ["-c", "4096", "--keep-alive-timeout", "60s", "--io-model", args.io_model]
    if args.workers > 0:
        ours_args += ["-w", str(args.workers)]
    ours, ours_port = loadlib.start_httpwire(args.bin, *ours_args)
    ngx_port = loadlib.free_port()
    (work / "nginx.conf").write_text(NGINX_CONF.format(dir=work, port=ngx_port))
    ngx = loadlib.start(
        [nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    loadlib.wait_listening(ours_port)
    loadlib.wait_listening(ngx_port)
    servers = {"httpwire": ours_port, "nginx": ngx_port}

    def pids(server):
        """Whose CPU time and context switches count: ours, and nginx's
        master and workers (read each time: the master may answer on the
        port before its worker has started)."""
        if server == "httpwire":
            return [ours.pid]
        return [ngx.pid] + loadlib.children(ngx.pid)

    results = {(s, n): [] for s in servers for n, _, _ in scenarios}
    for r in range(args.rounds):
        order = list(servers) if r % 2 == 0 else list(reversed(servers))
        for name, conns, script in scenarios:
            for server in order:
                url = f"http://127.0.0.1:{servers[server]}/echo/hello"
                lua = str(scripts[script]) if script else None
                counted = pids(server)
                before = loadlib.cpu_and_switches(counted)
                res = run_wrk(url, conns, args.duration, lua)
                after = loadlib.cpu_and_switches(counted)
                n = max(res["requests"], 1)
                res["user_us"] = (after[0] - before[0]) * 1e6 / n
                res["sys_us"] = (after[1] - before[1]) * 1e6 / n
                res["switches"] = (after[2] - before[2]) / n
                results[(server, name)].append(res)
                print(
                    f"round {r + 1} {name:16} {server:9} {res['rps']:>10.0f} req/s "
                    f"p50 {res['p50']:.3f} ms p99 {res['p99']:.3f} ms {res['errors']}",
                    flush=True,
                )

    # System calls per request: one more wrk run per scenario and server,
    # under strace (after the rounds, whose figures it would distort).
    syscall_rows = []
    if not args.no_syscalls and shutil.which("strace"):
        for name, conns, script in scenarios:
            row = [name]
            for server in servers:
                url = f"http://127.0.0.1:{servers[server]}/echo/hello"
                lua = str(scripts[script]) if script else None
                calls, res = strace_counts(
                    pids(server), lambda: run_wrk(url, conns, min(args.duration, 3), lua)
                )
                row.append(per_request(calls, res["requests"]))
            syscall_rows.append(f"| {' | '.join(row)} |")
            print(syscall_rows[-1], flush=True)

    ngx_pids = [ngx.pid] + loadlib.children(ngx.pid)
    ours_rss_before = loadlib.proc_status(ours.pid, "VmRSS")
    ours_rss, ours_threads = idle_rss([ours.pid], ours_port)
    ngx_rss, _ = idle_rss(ngx_pids, ngx_port)
    uptime_after = loadlib.uptime()

    loadlib.stop(ours)
    loadlib.stop(ngx, wait=10)
    shutil.rmtree(work, ignore_errors=True)

    def med(server, name, key):
        return statistics.median(x[key] for x in results[(server, name)])

    rows = []
    chart_rows = []
    cost_rows = []
    verdicts = []
    for name, conns, _ in scenarios:
        o_rps, n_rps = med("httpwire", name, "rps"), med("nginx", name, "rps")
        o_p50, n_p50 = med("httpwire", name, "p50"), med("nginx", name, "p50")
        o_p99, n_p99 = med("httpwire", name, "p99"), med("nginx", name, "p99")
        ratio = o_rps / n_rps
        # wrk's latency histogram is empty above the median when requests
        # are pipelined (it prints 0.00us): no p99 to compare there.
        p99_ratio = o_p99 / n_p99 if o_p99 > 0 and n_p99 > 0 else float("nan")
        chart_rows.append((name, o_rps, n_rps))
        rows.append(
            f"| {name} | {o_rps:,.0f} | {n_rps:,.0f} | **{ratio:.2f}×** "
            f"| {o_p50:.3f} / {o_p99:.3f} | {n_p50:.3f} / {n_p99:.3f} | {p99_ratio:.2f}× |"
        )
        o_user, n_user = med("httpwire", name, "user_us"), med("nginx", name, "user_us")
        o_sys, n_sys = med("httpwire", name, "sys_us"), med("nginx", name, "sys_us")
        o_sw, n_sw = med("httpwire", name, "switches"), med("nginx", name, "switches")
        cost_rows.append(
            f"| {name} | {o_user + o_sys:.1f} ({o_user:.1f} + {o_sys:.1f}) "
            f"| {n_user + n_sys:.1f} ({n_user:.1f} + {n_sys:.1f}) | {o_sw:.3f} | {n_sw:.3f} |"
        )
        if name in TARGETS:
            want = TARGETS[name]
            ok = ratio >= want
            verdicts.append(
                f"- {name}: requests/s {ratio:.2f}× nginx, target ≥ {want}×: "
                + ("**met**" if ok else f"**missed** by {(want - ratio) / want * 100:.0f}%")
            )
        if math.isnan(p99_ratio):
            verdicts.append(f"- {name}: p99 not measured (wrk reports none when pipelining)")
            continue
        ok = p99_ratio <= P99_LIMIT
        verdicts.append(
            f"- {name}: p99 {p99_ratio:.2f}× nginx's, target ≤ {P99_LIMIT}×: "
            + ("**met**" if ok else f"**missed** ({o_p99:.2f} ms against {n_p99 * P99_LIMIT:.2f} ms)")
        )
    rss_ok = ours_rss < RSS_LIMIT_KIB
    verdicts.append(
        f"- resident memory with 1,000 idle keep-alive connections: {ours_rss / 1024:.1f} MiB, "
        f"target < 64 MiB: " + ("**met**" if rss_ok else "**missed**")
    )
    errors = sorted(
        {f"{s} {n}: {x['errors']}" for (s, n), xs in results.items() for x in xs if x["errors"]}
    )

    cmd = f"benches/load.sh --rounds {args.rounds} --duration {args.duration}"
    if args.workers != 1:
        cmd += f" --workers {args.workers}"
    if args.io_model != "events":
        cmd += f" --io-model {args.io_model}"
    for name in args.only or []:
        cmd += f" --only '{name}'"
    if args.io_model == "events" and args.workers == 1:
        model_text = (
            "event-driven: one worker waiting for ready connections, as nginx's one worker "
            "process does; more only while it is held up"
        )
    elif args.io_model == "events":
        workers = f"{args.workers} workers" if args.workers > 0 else "one worker per CPU"
        model_text = (
            f"event-driven: {workers}, each with its own epoll instance and share of the "
            "connections; more only while all of a group's are held up"
        )
    else:
        model_text = "one thread per connection"
    text = "\n".join(
        [
            "### httpwire next to nginx (wrk)",
            "",
            f"Command: `{cmd}` — {args.rounds} rounds; each runs "
            f"`wrk -t1 -cN -d{args.duration}s --latency` on `GET /echo/hello` (keep-alive), "
            "`POST /echo/hello` with a 4 KiB body, the GET 16 deep pipelined (a wrk script sends "
            "16 requests at once per connection; every response counts) and the GET with "
            "`Connection: close` (a new connection per request), against each server in turn "
            "(the order flips every round). Medians over the rounds; latencies in ms.",
            "",
            f"Machine: {os.cpu_count()} cores; `uptime` before: `{uptime_before}`; "
            f"after: `{uptime_after}` (other jobs, such as niced fuzzers, may be running: "
            "the two servers share whatever is left, and wrk takes a core of its own).",
            "",
            "nginx: Debian's package, `worker_processes 1`, `access_log off`, "
            "`location ~ ^/echo/(.*)$ { default_type text/plain; return 200 $1; }`, "
            "defaults otherwise (so `keepalive_requests 1000`). httpwire: "
            f"`target/release/httpwire -q {' '.join(ours_args)}`, defaults otherwise "
            f"({model_text}). Its POST answer echoes the 4 KiB "
            "body; nginx's is `hello`, the body read and discarded.",
            "",
            CHART_LINE,
            "",
            "| scenario | httpwire req/s | nginx req/s | ours/nginx | httpwire p50 / p99 "
            "| nginx p50 / p99 | p99 ours/nginx |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Where the time goes: each server's CPU time per request (user + system, µs, from "
            "`/proc/PID/stat` around each wrk run; nginx counts master and worker) and context "
            "switches per request (all threads, `/proc/PID/task/*/status`). Medians over the rounds.",
            "",
            "| scenario | httpwire CPU µs/req | nginx CPU µs/req | httpwire switches/req "
            "| nginx switches/req |",
            "|---|---:|---:|---:|---:|",
            *cost_rows,
            "",
            "Resident memory (VmRSS) with 1,000 idle keep-alive connections open: "
            f"httpwire {ours_rss / 1024:.1f} MiB ({ours_threads} threads; "
            f"{ours_rss_before / 1024:.1f} MiB before they were opened), "
            f"nginx {ngx_rss / 1024:.1f} MiB (master and worker).",
            "",
            "Targets (issue 12: every scenario at least nginx's requests/s with a p99 no higher, pipelined at least 4×), from this run:",
            "",
            *verdicts,
        ]
        + (["", "wrk reported errors: " + "; ".join(errors)] if errors else [])
    )
    print()
    print(text)
    if syscall_rows:
        print()
        print(syscalls_text(cmd, syscall_rows))
    if args.only:
        print("\n--only: not written to BENCHMARKS.md")
    elif not args.no_write:
        loadlib.write_part("wrk", text)
        if syscall_rows:
            loadlib.write_part("syscalls", syscalls_text(cmd, syscall_rows))
        LOAD_SVG.write_text(load_chart(chart_rows))
        print(f"\nwritten to {loadlib.BENCHMARKS} and {LOAD_SVG}")


def syscalls_text(cmd, rows):
    return "\n".join(
        [
            "### System calls per request",
            "",
            f"Command: `{cmd}` (after the rounds: one more wrk run per scenario and server, "
            "at most 3 s, with `strace -c -f` attached to the server's threads, nginx's master "
            "and worker). Calls per request: the total, then each call made at least once per "
            "100 requests.",
            "",
            "| scenario | httpwire | nginx |",
            "|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    main()
