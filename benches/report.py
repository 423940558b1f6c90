#!/usr/bin/env python3
"""Writes sections of BENCHMARKS.md from benchmark results; nothing in the tables is typed by hand.

Criterion (default): run after `cargo bench --bench parse`; reads target/criterion/**/new/*.json.
Race (--race): run after `cargo bench --bench race`; reads target/race/race.json and checks, in
the race binary, that picohttpparser's SSE4.2 path was compiled in.

Each also writes an SVG bar chart beside its table (benches/criterion.svg for parse_head,
benches/race.svg), referenced from the section.
--race-chart redraws benches/race.svg from the race table already in BENCHMARKS.md (when
target/race/race.json is gone), and puts the chart's reference in the section if it is missing.

Usage: python3 benches/report.py [--command "the cargo bench command used"]
       python3 benches/report.py --race [--note "a sentence to head the section"]
       python3 benches/report.py --race-chart
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import svgchart  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
CRITERION = TARGET / "criterion"
RACE = TARGET / "race" / "race.json"
OUT = ROOT / "BENCHMARKS.md"
BEGIN = "<!-- criterion:begin -->"
END = "<!-- criterion:end -->"
RACE_BEGIN = "<!-- race:begin -->"
RACE_END = "<!-- race:end -->"
RACE_SVG = ROOT / "benches" / "race.svg"
CRITERION_SVG = ROOT / "benches" / "criterion.svg"
RACE_CHART_LINE = ("![Time per parse of each input by httpwire, httparse and picohttpparser "
                   "(shorter is faster)](benches/race.svg)")
CRITERION_CHART_LINE = ("![parse_head: time per parse of each input by httpwire and its peers "
                        "(shorter is faster)](benches/criterion.svg)")
PARSERS = ["httpwire", "httparse", "pico"]

# The peers each of our functions is compared with, per group.
PEERS = {
    "parse_head": ["httparse", "pico"],
    "parse_head_bytewise": ["httparse"],
    "chunked_decode": ["memcpy"],
    "serialize_response": ["write_macro"],
}


def load():
    rows = []
    for bench in CRITERION.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        median = est["median"]["point_estimate"]
        tp = meta.get("throughput") or {}
        nbytes = tp.get("Bytes")
        rows.append({
            "group": meta["group_id"],
            "function": meta["function_id"],
            "input": meta.get("value_str") or "",
            "bytes": nbytes or 0,
            "ns": median,
            "gibs": (nbytes / median) if nbytes else None,  # bytes/ns == GB/s
        })
    return rows


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def fmt_tp(gbs):
    if gbs is None:
        return ""
    return f"{gbs * 1e9 / 2**30:.2f} GiB/s"


def machine():
    info = {}
    try:
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break  # the first CPU is enough
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
    except OSError:
        pass
    # The model name alone ("AMD EPYC") does not tell Zen 3 (family 25) from Zen 5 (26).
    cpu = info.get("model name", "unknown CPU")
    if "cpu family" in info:
        cpu += f" (family {info['cpu family']}, model {info.get('model', '?')})"
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, {rustc}"


def render(rows, command):
    out = [BEGIN, "## Criterion: parser, decoder and serializer hot paths", ""]
    out.append(f"Machine: {machine()}.  ")
    out.append(f"Command: `{command}`, then `python3 benches/report.py`.  ")
    out.append("Median of criterion's samples; a ratio is the peer's median time over ours "
               "(above 1.0 means we are faster). `pico` is picohttpparser (C, SSE4.2).")
    out.append("")
    for group, peers in PEERS.items():
        g = [r for r in rows if r["group"] == group]
        if not g:
            continue
        out.append(f"### {group} (peer{'s' if len(peers) > 1 else ''}: {', '.join(peers)})")
        out.append("")
        head = "| input | httpwire | throughput |"
        for peer in peers:
            head += f" {peer} | {peer} throughput | {peer}/ours |"
        out.append(head)
        out.append("|---|" + "---|" * (2 + 3 * len(peers)))
        by = {(r["function"], r["input"]): r for r in g}
        inputs = {r["input"]: r["bytes"] for r in g}
        # Inputs in size order; ones without a httpwire row (responses, for now) last.
        count = {peer: sum(r["function"] == peer for r in g) for peer in peers}
        for key in sorted(inputs, key=lambda k: (("httpwire", k) not in by, inputs[k], k)):
            o = by.get(("httpwire", key))
            if not o and not any((peer, key) in by and count[peer] > 1 for peer in peers):
                continue  # a floor (memcpy), not an input
            line = f"| {key or '-'} | {fmt_time(o['ns']) if o else '-'} | {fmt_tp(o['gibs']) if o else ''} |"
            for peer in peers:
                theirs = [r for r in g if r["function"] == peer]
                # A group with one peer row (the memcpy floor) compares every input with it.
                p = by.get((peer, key)) or (theirs[0] if len(theirs) == 1 else None)
                ratio = f"{p['ns'] / o['ns']:.2f}×" if p and o else ""
                line += (f" {fmt_time(p['ns']) if p else ''} | {fmt_tp(p['gibs']) if p else ''} |"
                         f" {ratio} |")
            out.append(line)
        out.append("")
        if group == "parse_head":
            out += [CRITERION_CHART_LINE, ""]
    out.append(END)
    return "\n".join(out)


def parse_chart(title, rows):
    """The head parsers' times per input as SVG; rows: dicts with `input` and a time in ns
    (or None) per name in PARSERS."""
    return svgchart.bar_chart(
        title,
        "time per parse of a complete head, median; shorter is faster",
        [f"{r['input']} ({r['bytes']:,} B)" if r.get("bytes") else r["input"] for r in rows],
        PARSERS,
        [[r.get(name) for name in PARSERS] for r in rows],
        lambda ns: f"{ns:,.1f} ns",
    )


def criterion_chart(rows):
    """parse_head's inputs, in the table's order, as SVG; None without httpwire rows."""
    g = [r for r in rows if r["group"] == "parse_head"]
    by = {(r["function"], r["input"]): r["ns"] for r in g}
    inputs = sorted({r["input"]: r["bytes"] for r in g if r["function"] == "httpwire"}.items(),
                    key=lambda kv: (kv[1], kv[0]))
    if not inputs:
        return None
    chart_rows = [{"input": k, "bytes": n, **{name: by.get((name, k)) for name in PARSERS}}
                  for k, n in inputs]
    return parse_chart("Criterion, parse_head: httpwire, httparse and picohttpparser", chart_rows)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def pico_sse42(exe):
    """How picohttpparser's C was compiled into the race binary, and its SSE4.2 instructions there."""
    producer = ""
    for line in run(["readelf", "--debug-dump=info", "--dwarf-depth=1", exe]).splitlines():
        m = re.search(r"DW_AT_producer\s*:.*?(GNU C\S* \S+)(.*)", line)
        if m:
            # The compiler and the flags that choose the code: -O, -march, -m<isa>.
            flags = [f for f in m.group(2).split() if re.match(r"-(O|march|msse|mavx)", f)]
            producer = f"{m.group(1)} {' '.join(flags)}"
            break
    counts = {}
    for fn in ("phr_parse_request", "parse_headers"):
        asm = run(["objdump", "-d", "--no-show-raw-insn", f"--disassemble={fn}", exe])
        counts[fn] = len(re.findall(r"\bpcmpestri\b", asm))
    return producer, counts


def render_race(r, note):
    out = [RACE_BEGIN, "## Head parsers interleaved in one process (race)", ""]
    if note:
        out += [note, ""]
    src = run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--", "src"]).strip()
    dirty = run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"]).strip()
    code = f"httpwire's code (`src/`) as of commit {src}" + (", with uncommitted changes" if dirty else "")
    out.append(f"Command: `{r['command']}`, then `python3 benches/report.py --race`; {code}.  ")
    others = r.get("others_cores")
    others = f"{others:.2f} cores' worth" if others is not None else "an unknown share"
    out.append(f"Machine: {machine()}. Load during the run ({r['seconds']:.1f} s): other processes used "
               f"{others} of CPU (`/proc/stat`), the race thread ran {r['cpu_share']:.0%} of the time; "
               f"`/proc/loadavg` {r['load_before']} before, {r['load_after']} after.  ")
    has = lambda k: "yes" if r[k] else "no"
    out.append(f"SIMD: AVX2 {has('avx2')}, SSE4.2 {has('sse4_2')}, AVX-512F {has('avx512f')} "
               f"(`is_x86_feature_detected!` in the run). httpwire's parser took its **{r['ours_path']}** path "
               "(it picks AVX2 at run time when present, else SSE2); httparse picks AVX2, else SSE4.2, "
               "likewise.  ")
    producer, counts = pico_sse42(r["exe"])
    if producer and all(counts.values()):
        out.append(f"picohttpparser-sys built its vendored C with `{producer}`; its SSE4.2 path is in the "
                   f"binary: {counts['phr_parse_request']} `pcmpestri` in `phr_parse_request` (method and "
                   f"target), {counts['parse_headers']} in `parse_headers` (field values), by `objdump -d` "
                   "of the race binary.")
    else:
        out.append(f"**picohttpparser's SSE4.2 path was not found in the race binary** "
                   f"(compiler: `{producer or 'unknown'}`; `pcmpestri` counts {counts}): its figures are its "
                   "scalar path.")
    out.append("")
    out.append(f"Method: {r['rounds']} rounds; each round times one batch of about {r['batch_ms']:g} ms "
               "of every parser on every input, inputs and parsers in a new shuffled order each round, "
               "so all parsers see the same machine state. A time is the median over the rounds of a "
               "batch's time per parse: one parse of a complete head into a 64-slot field array made "
               "once per batch and reused, as a server keeps one per connection, so the parse alone "
               "is timed, not the caller's setting up of 2 KiB of slots (`benches/inputs.rs`), in the "
               "thread's CPU time, so time slices "
               "given to other processes are not counted (a busy neighbour core still slows the "
               "parsers, and not equally: run it on a quiet machine). A ratio is the median over the rounds "
               "of the peer's time over ours in that round (above 1.0: we are faster); in brackets its "
               "quartiles (a measure of the noise), then `p10`, the ratio of the parsers' 10th-percentile times. "
               "This machine has fast and slow spells lasting several rounds (a busy neighbour core, or "
               "the host's), in which all parsers slow down, ours the most; the fastest tenth of the "
               "rounds shows the undisturbed machine, and `p10` moved less than the median between runs.")
    out.append("")
    out.append(RACE_CHART_LINE)
    out.append("")
    out.append("| input | bytes | httpwire | httparse | pico | httparse/ours | pico/ours |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for row in r["rows"]:
        def ns(k):
            return f"{row[k]:.1f} ns" if k in row else "-"

        def ratio(peer):
            k = f"{peer}/ours"
            if k not in row:
                return "-"
            p10 = f"; p10 {row[k + '_p10']:.2f}×" if k + "_p10" in row else ""
            return f"**{row[k]:.2f}×** ({row[k + '_q1']:.2f}–{row[k + '_q3']:.2f}{p10})"
        out.append(f"| {row['input']} | {row['bytes']:,} | {ns('httpwire')} | {ns('httparse')} | "
                   f"{ns('pico')} | {ratio('httparse')} | {ratio('pico')} |")
    if any(row["head"] == "Response" for row in r["rows"]):
        out.append("")
        out.append("The `response_*` rows are response heads (`ResponseParser` next to httparse's "
                   "`Response::parse` and pico's `phr_parse_response`).")
    out.append(RACE_END)
    return "\n".join(out)


def write_section(begin, end, section, before=None):
    """Replaces the text between the markers, or inserts the section before the marker `before`
    (or at the end)."""
    text = OUT.read_text() if OUT.exists() else "# Benchmarks\n\nEvery figure here is generated by a script from a run on this machine.\n\n"
    if begin in text and end in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    elif before and before in text:
        text = text.replace(before, section + "\n\n" + before, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", default="cargo bench --bench parse",
                    help="the criterion command that produced the results")
    ap.add_argument("--race", action="store_true",
                    help="write the race section from target/race/race.json instead")
    ap.add_argument("--note", default="", help="with --race: a sentence to head the section")
    ap.add_argument("--race-chart", action="store_true",
                    help="redraw benches/race.svg from the race table in BENCHMARKS.md")
    args = ap.parse_args()
    if args.race_chart:
        redraw_race_chart()
        return
    if args.race:
        if not RACE.exists():
            raise SystemExit(f"no {RACE}: run cargo bench --bench race first")
        race = json.loads(RACE.read_text())
        section = render_race(race, args.note)
        write_section(RACE_BEGIN, RACE_END, section, before=BEGIN)
        RACE_SVG.write_text(parse_chart(RACE_TITLE, race["rows"]))
        print(section)
        print(f"chart: {RACE_SVG}")
        return
    rows = load()
    if not rows:
        raise SystemExit("no criterion results under target/criterion: run cargo bench first")
    section = render(rows, args.command)
    write_section(BEGIN, END, section)
    chart = criterion_chart(rows)
    if chart:
        CRITERION_SVG.write_text(chart)
        print(f"chart: {CRITERION_SVG}")
    print(section)


RACE_TITLE = "Head parsers interleaved in one process (race): httpwire, httparse, picohttpparser"


def redraw_race_chart():
    """benches/race.svg from the figures of the race table in BENCHMARKS.md, as recorded."""
    text = OUT.read_text()
    rows = []
    for cells in svgchart.markdown_rows(text, RACE_BEGIN, RACE_END):
        # | input | bytes | httpwire | httparse | pico | httparse/ours | pico/ours |
        rows.append({"input": cells[0], "bytes": int(svgchart.number(cells[1]) or 0),
                     **{name: svgchart.number(cells[2 + i])
                                           for i, name in enumerate(PARSERS)}})
    if not rows:
        raise SystemExit(f"no race table between the race markers in {OUT}")
    RACE_SVG.write_text(parse_chart(RACE_TITLE, rows))
    if RACE_CHART_LINE not in text:
        # Where render_race puts it: just before the table.
        head, rest = text.split(RACE_BEGIN, 1)
        inside, tail = rest.split(RACE_END, 1)
        table = "| input | bytes | httpwire |"
        inside = inside.replace(table, RACE_CHART_LINE + "\n\n" + table, 1)
        OUT.write_text(head + RACE_BEGIN + inside + RACE_END + tail)
    print(f"chart: {RACE_SVG} ({len(rows)} inputs, from {OUT.name})")


if __name__ == "__main__":
    main()
