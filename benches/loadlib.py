"""Helpers shared by benches/load.py and benches/attacks.py.

Processes started here are remembered and stopped by PID (never by name),
also when the script is interrupted. Everything listens on 127.0.0.1.
"""
import atexit
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
LOAD_BEGIN = "<!-- load:begin -->"
LOAD_END = "<!-- load:end -->"

_started = []


def raise_fd_limit(want=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, **kw):
    """Starts a process we own; it is stopped at exit if still running."""
    proc = subprocess.Popen(argv, **kw)
    _started.append(proc)
    return proc


def stop(proc, sig=signal.SIGTERM, wait=5.0):
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


def _stop_all():
    for proc in reversed(_started):
        stop(proc)


atexit.register(_stop_all)


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGINT, _on_signal)
signal.signal(signal.SIGTERM, _on_signal)


def start_httpwire(binary, *extra):
    """Starts the echo server on a free port; returns (proc, port)."""
    proc = start(
        [binary, "-q", "-a", "127.0.0.1", "-p", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    m = re.search(r":(\d+)\s*$", line)
    if not m:
        stop(proc)
        raise RuntimeError(f"httpwire did not say where it listens: {line!r}")
    return proc, int(m.group(1))


def wait_listening(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def proc_status(pid, field):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM) or as a number."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def cpu_and_switches(pids):
    """CPU seconds (user, system) and context switches (voluntary and not,
    over every thread) so far of the processes `pids`, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    user = system = switches = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                # Fields after the command name, which may hold spaces.
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11]) / tick
            system += int(fields[12]) / tick
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    for line in f:
                        if "ctxt_switches:" in line:
                            switches += int(line.split()[1])
        except OSError:
            pass
    return user, system, switches


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def write_part(name, text):
    """Replaces the part `name` of the ## Load section of BENCHMARKS.md
    (between <!-- load-NAME:begin --> and <!-- load-NAME:end -->), creating
    the section or the file if needed. Nothing outside the load markers is
    touched."""
    begin, end = f"<!-- load-{name}:begin -->", f"<!-- load-{name}:end -->"
    part = f"{begin}\n{text.rstrip()}\n{end}"
    doc = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if LOAD_BEGIN not in doc or LOAD_END not in doc:
        section = (
            f"{LOAD_BEGIN}\n## Load\n\n"
            "Written by `benches/load.sh` (do not edit by hand: the next run "
            "replaces everything between the load markers).\n\n"
            f"{LOAD_END}"
        )
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    head, rest = doc.split(LOAD_BEGIN, 1)
    inside, tail = rest.split(LOAD_END, 1)
    if begin in inside and end in inside:
        before, after = inside.split(begin, 1)
        after = after.split(end, 1)[1]
        inside = before + part + after
    else:
        inside = inside.rstrip("\n") + "\n\n" + part + "\n"
    BENCHMARKS.write_text(head + LOAD_BEGIN + inside + LOAD_END + tail)
