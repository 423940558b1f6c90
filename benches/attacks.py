#!/usr/bin/env python3
"""Attacks and faults against the release binary, at full scale (the
scaled-down versions are tests/server_attacks.rs); run through
benches/load.sh. Loopback only, every loop bounded; the server is stopped
by its PID. Writes the `attacks` and `slow-peers` parts of the ## Load
section of BENCHMARKS.md (`--only-slow-peers`: that part alone, without wrk).
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadlib  # noqa: E402


def wrk_rps(port, seconds=2):
    out = subprocess.run(
        ["wrk", "-t1", "-c1", f"-d{seconds}s", f"http://127.0.0.1:{port}/echo/hello"],
        capture_output=True, text=True, timeout=seconds + 30,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def status_of(data):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    return int(m.group(1)) if m else None


def read_all(s, limit=1 << 20):
    got = b""
    try:
        while len(got) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return got


def slowloris(port, count=300):
    """`count` connections sending a head byte a second; returns the
    normal client's rates and what the slow ones got, and when."""
    head = b"GET /echo/slow HTTP/1.1\r\nHost: t\r\n"
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(count)]
    opened = time.monotonic()
    stop = threading.Event()

    def trickle():
        for i in range(len(head)):
            for s in socks:
                try:
                    s.send(head[i:i + 1])
                except OSError:
                    pass
            if stop.wait(1.0):
                return

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(1)
    attacked = wrk_rps(port, 5)
    answers = []
    for s in socks:
        data = read_all(s)
        answers.append((status_of(data), time.monotonic() - opened))
        s.close()
    stop.set()
    t.join()
    return attacked, answers


def flood(port, head, body_pieces=(), timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    started = time.monotonic()

    def send():
        try:
            s.sendall(head)
            for piece in body_pieces:
                s.sendall(piece)
        except OSError:
            pass

    t = threading.Thread(target=send)
    t.start()
    data = read_all(s)
    took = time.monotonic() - started
    t.join()
    s.close()
    return status_of(data), took


def slow_body(port, pieces=10):
    head = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n"

    def slowly():
        for _ in range(pieces):
            time.sleep(0.2)
            yield b"x"

    return flood(port, head, slowly())


def slow_peers(pid, port, pipeliners=300, bodies=100, probes=30):
    """`pipeliners` clients that pipeline requests and never read the
    responses, and `bodies` that send a body a byte a second; meanwhile
    `probes` fresh `GET /echo/probe`s, one every 200 ms. Returns the slowest
    probe's latency (s) and the server's most threads and resident memory
    (KiB) seen."""
    # 4 KiB answers: 256 requests ask for 1 MiB, more than the socket
    # buffers of a client that reads nothing hold.
    request = b"GET /echo/" + b"p" * 4000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    batch = request * 256
    socks = []
    for _ in range(pipeliners):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.setblocking(False)
        try:
            s.send(batch)  # what the kernel takes; the rest is never sent
        except BlockingIOError:
            pass
        socks.append(s)
    head = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"
    slow = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(bodies)]
    for s in slow:
        s.sendall(head)
    stop = threading.Event()

    def trickle():
        while not stop.wait(1.0):
            for s in slow:
                try:
                    s.send(b"x")
                except OSError:
                    pass

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(2)
    slowest, threads, rss = 0.0, 0, 0
    for _ in range(probes):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as p:
            p.sendall(b"GET /echo/probe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            if not read_all(p).endswith(b"probe"):
                raise RuntimeError("a probe got no answer")
        slowest = max(slowest, time.monotonic() - started)
        threads = max(threads, loadlib.proc_status(pid, "Threads"))
        rss = max(rss, loadlib.proc_status(pid, "VmRSS"))
        time.sleep(0.2)
    stop.set()
    t.join()
    for s in socks + slow:
        s.close()
    return slowest, threads, rss


def faults(port):
    """Clients that vanish at every stage; none of them is answered."""
    def conn():
        return socket.create_connection(("127.0.0.1", port), timeout=10)

    for _ in range(20):
        s = conn()
        s.sendall(b"GET /echo/x HTTP/1.1\r\nHo")  # mid-head
        s.close()
        s = conn()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc")
        s.close()  # mid-body
        s = conn()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4000000\r\n\r\n" + b"x" * 4000000)
        s.recv(1024)
        s.close()  # mid-response, unread bytes: a reset
        s = conn()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.sendall(b"GET /echo/x HTTP/1.1\r\nHost")
        s.close()  # RST
        s = conn()
        s.sendall(b"GET /echo/half HTTP/1.1\r\nHost: t\r\n\r\n")
        s.shutdown(socket.SHUT_WR)  # half-close: still answered
        if not read_all(s).endswith(b"half"):
            raise RuntimeError("a half-closed client got no answer")
        s.close()


def slow_peers_part(binary):
    """The slow-peers scenario against a fresh server, as a BENCHMARKS.md part."""
    proc, port = loadlib.start_httpwire(binary, "-c", "4096")
    loadlib.wait_listening(port)
    threads0 = loadlib.proc_status(proc.pid, "Threads")
    slowest, threads, rss = slow_peers(proc.pid, port)
    loadlib.stop(proc)
    cpus = os.cpu_count()
    cpu = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            cpu.setdefault(key.strip(), value.strip())
    model = f"{cpu.get('model name', '?')} (family {cpu.get('cpu family', '?')}, model {cpu.get('model', '?')})"
    met = slowest <= 0.05 and threads <= 2 * cpus + 8 and rss < 64 * 1024
    return "\n".join([
        "### Slow peers (release binary, defaults but `-c 4096`)",
        "",
        f"Command: `benches/load.sh` (`benches/attacks.py`, alone: `--only-slow-peers`); "
        f"{model}, {cpus} CPUs; `uptime`: `{loadlib.uptime()}`.",
        "",
        "- 300 clients that pipeline `GET /echo/<4,000 bytes>` (1 MiB of answers asked) and read "
        "nothing, plus 100 that send a 1,000-byte body a byte a second; meanwhile 30 fresh "
        f"`GET /echo/probe`, one every 200 ms: slowest probe **{slowest * 1000:.1f} ms**; "
        f"server threads at most **{threads}** ({threads0} idle); resident memory at most "
        f"**{rss / 1024:.1f} MiB** (targets: 50 ms, 2 × CPUs + 8 = {2 * cpus + 8} threads, "
        f"64 MiB: {'met' if met else 'missed'}).",
    ])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--only-slow-peers", action="store_true",
                    help="run the slow-peers scenario alone (no wrk needed)")
    args = ap.parse_args()
    loadlib.raise_fd_limit()
    if args.only_slow_peers:
        text = slow_peers_part(args.bin)
        print(text)
        if not args.no_write:
            loadlib.write_part("slow-peers", text)
        return
    lines = ["### Attacks and faults (release binary, defaults but `-c 4096`)", ""]
    lines.append(f"Command: `benches/load.sh` (`benches/attacks.py`); `uptime`: `{loadlib.uptime()}`.")
    lines.append("")

    proc, port = loadlib.start_httpwire(args.bin, "-c", "4096")
    pid = proc.pid
    loadlib.wait_listening(port)
    rss0 = loadlib.proc_status(pid, "VmRSS")
    fds0 = loadlib.open_fds(pid)

    unattacked = wrk_rps(port, 5)
    attacked, answers = slowloris(port)
    got408 = sum(1 for st, _ in answers if st == 408)
    times = sorted(t for _, t in answers)
    ratio = attacked / unattacked
    lines.append(
        f"- Slowloris, 300 connections sending a head byte a second (head timeout 10 s): "
        f"`wrk -c1` {attacked:,.0f} req/s during it against {unattacked:,.0f} without, "
        f"**{ratio:.2f}×** (target ≥ 0.5×: {'met' if ratio >= 0.5 else 'missed'}); "
        f"{got408}/300 closed with 408, {times[0]:.1f}–{times[-1]:.1f} s after they opened."
    )

    st, took = slow_body(port)
    lines.append(
        f"- `Content-Length: 1000000000`, a byte every 200 ms: **{st}** after {took * 1000:.0f} ms "
        "(over the 8 MiB body limit: refused before any of it is read). A slow body within "
        "the limit gets 408 once no byte arrived for the body timeout (tests/server_attacks.rs)."
    )

    hwm_before = loadlib.proc_status(pid, "VmHWM")
    results = []
    line = b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    fields = b"GET /echo/x HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-F%d: v\r\n" % i for i in range(10000)) + b"\r\n"
    chunk = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext="
    for name, head, body in [
        ("1 MiB request-line", line, ()),
        ("10,000 header fields", fields, ()),
        ("endless chunk extension (16 MiB sent at most)", chunk, [b"a" * 65536] * 256),
    ]:
        out = []
        threads = [threading.Thread(target=lambda: out.append(flood(port, head, body))) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted({s for s, _ in out})
        slowest = max(t for _, t in out)
        results.append(f"{name}: {statuses} to each of 50 at once, slowest {slowest * 1000:.0f} ms")
    hwm = loadlib.proc_status(pid, "VmHWM")
    lines.append("- Floods, 50 clients at once each: " + "; ".join(results) + ".")
    lines.append(
        f"  Peak resident memory (VmHWM) {hwm_before / 1024:.1f} MiB before the floods, "
        f"{hwm / 1024:.1f} MiB after (VmRSS at start {rss0 / 1024:.1f} MiB)."
    )

    faults(port)
    deadline = time.monotonic() + 10
    fds = loadlib.open_fds(pid)
    while fds != fds0 and time.monotonic() < deadline:
        time.sleep(0.1)
        fds = loadlib.open_fds(pid)
    alive = subprocess.run(
        ["wrk", "-t1", "-c1", "-d1s", f"http://127.0.0.1:{port}/echo/hello"],
        capture_output=True, text=True).returncode == 0
    lines.append(
        "- Faults, 20 of each: gone mid-head, mid-body, mid-response (4 MiB echo, unread: "
        "reset), RST (SO_LINGER 0) mid-head, half-close (answered): open descriptors "
        f"{fds0} before, {fds} after; server {'up' if alive and proc.poll() is None else 'DOWN'}. "
        "A handler panicking on every 10th request under load: tests/server_attacks.rs."
    )
    loadlib.stop(proc)
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        loadlib.write_part("attacks", text)
    # On a server of its own: the scenario's threads and memory are its.
    text = slow_peers_part(args.bin)
    print(text)
    if not args.no_write:
        loadlib.write_part("slow-peers", text)


if __name__ == "__main__":
    main()
