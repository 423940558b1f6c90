//! The head parsers side by side in one process: short timed batches of
//! each parser on each input, in a new shuffled order every round, many
//! rounds, then the median time per parse of each.
//!
//! Criterion runs one benchmark after another, so on a shared machine a
//! change of load between two of them reads as a difference between the
//! parsers. Here the batches of all parsers on an input run within a few
//! milliseconds of each other, round after round, so every parser sees the
//! same machine state and the ratios hold even when absolute times move.
//! Batches are timed in this thread's CPU time, not wall time, so that
//! time slices given to other processes are not counted (see
//! [`thread_cpu_time`]).
//!
//! ```sh
//! cargo bench --bench race                      # 30 rounds of 5 ms batches
//! cargo bench --bench race -- --rounds 50
//! cargo bench --bench race -- --quick           # 5 rounds of 1 ms batches
//! cargo bench --bench race -- typical post      # only inputs naming these
//! python3 benches/report.py --race              # the table into BENCHMARKS.md
//! ```
//!
//! Each run writes `target/race/race.json` for `benches/report.py`. Without
//! `--bench` (which `cargo bench` passes, and `cargo test --benches` does
//! not) it only checks that the parsers agree and runs one tiny round.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "inputs.rs"]
mod inputs;
use inputs::{cases, Case, Parser};

const USAGE: &str = "\
usage: cargo bench --bench race -- [--rounds N] [--batch-ms MS] [--quick] [INPUT...]
  --rounds N     rounds; each times one batch of every parser on every input (default 30)
  --batch-ms MS  the length of one batch, in milliseconds of CPU time (default 5)
  --quick        5 rounds of 1 ms batches, for a look while developing
  INPUT...       only the inputs whose name contains one of these
  --list         name the inputs and stop
Criterion's flags (cargo bench -- FLAGS hands them to every bench) are ignored.";

/// Criterion's flags that take a value: `cargo bench -- FLAGS` passes them
/// to this target too, and the value must not be taken for an input name.
const CRITERION_VALUED: &[&str] = &[
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--save-baseline",
    "-s",
    "--baseline",
    "-b",
    "--baseline-lenient",
    "--load-baseline",
    "--output-format",
    "--color",
    "-c",
    "--plotting-backend",
    "--profile-time",
    "--format",
    "--logfile",
];

struct Args {
    rounds: usize,
    batch: Duration,
    filters: Vec<String>,
    /// Run by `cargo bench` (`--bench` given), not as a test.
    bench: bool,
    /// `--list`: name the inputs, as criterion names its benchmarks.
    list: bool,
    /// Our own arguments as given: the command line in the report.
    given: Vec<String>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        rounds: 30,
        batch: Duration::from_millis(5),
        filters: Vec::new(),
        bench: false,
        list: false,
        given: Vec::new(),
    };
    let (mut rounds, mut batch_ms, mut quick) = (None, None, false);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--bench" => args.bench = true,
            "--list" => args.list = true,
            "-h" | "--help" => return Ok(None),
            "--quick" => {
                quick = true;
                args.given.push(arg);
            }
            "--rounds" => {
                let v = value("--rounds")?;
                rounds = Some(v.parse::<usize>().map_err(|_| format!("--rounds {v:?}"))?);
                args.given.extend([arg, v]);
            }
            "--batch-ms" => {
                let v = value("--batch-ms")?;
                batch_ms = Some(v.parse::<f64>().map_err(|_| format!("--batch-ms {v:?}"))?);
                args.given.extend([arg, v]);
            }
            // Criterion's flags are not ours: skipped, and kept out of the
            // report's command line.
            flag if CRITERION_VALUED.contains(&flag) => {
                value(flag)?;
            }
            flag if flag.starts_with('-') => {}
            _ => {
                args.filters.push(arg.clone());
                args.given.push(arg);
            }
        }
    }
    if quick {
        args.rounds = 5;
        args.batch = Duration::from_millis(1);
    }
    if let Some(r) = rounds {
        args.rounds = r.max(1);
    }
    if let Some(ms) = batch_ms {
        if !(ms > 0.0 && ms < 10_000.0) {
            return Err(format!("--batch-ms {ms}: must be above 0 and below 10,000"));
        }
        args.batch = Duration::from_secs_f64(ms / 1000.0);
    }
    Ok(Some(args))
}

/// A tiny xorshift64 generator: enough to shuffle the batch order, and no
/// dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Times `n` parses; nanoseconds per parse, of this thread's CPU time.
fn time(p: &Parser, input: &[u8], n: u64) -> f64 {
    let start = thread_cpu_time();
    black_box((p.repeat)(input, n));
    (thread_cpu_time() - start).as_nanos() as f64 / n as f64
}

/// This thread's CPU time. Wall time would count the time the scheduler
/// gives other processes on a shared core: with two cores and a build
/// beside it, a batch then reads 2 or 3 times as long as an undisturbed
/// one, and which batches are hit is chance.
#[cfg(unix)]
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live, writable timespec, and the clock is one
    // every Unix we run on provides (checked by the return value).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Elsewhere, wall time since the first call.
#[cfg(not(unix))]
fn thread_cpu_time() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// How many parses of `input` by `p` take about `batch`.
fn calibrate(p: &Parser, input: &[u8], batch: Duration) -> u64 {
    let target = batch.as_nanos() as f64;
    let mut n = 1u64;
    loop {
        let ns = time(p, input, n);
        // A tenth of a batch is long enough to estimate from.
        if ns * n as f64 >= target / 10.0 || n >= 1 << 40 {
            return ((target / ns) as u64).max(1);
        }
        n *= 2;
    }
}

/// The `q` quantile of `v`, interpolating between neighbours.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// One parser's result on one input.
struct Cell {
    parser: &'static str,
    /// Nanoseconds per parse, one per round.
    ns: Vec<f64>,
}

struct Row<'c> {
    case: &'c Case,
    cells: Vec<Cell>,
}

/// The simd path httpwire's parser takes on this CPU (it picks AVX2 at run
/// time when present, else SSE2), and what else the CPU has.
fn simd() -> (&'static str, bool, bool, bool) {
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = std::is_x86_feature_detected!("avx2");
        (
            if avx2 { "AVX2" } else { "SSE2" },
            avx2,
            std::is_x86_feature_detected!("sse4.2"),
            std::is_x86_feature_detected!("avx512f"),
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    ("scalar", false, false, false)
}

/// Busy time of all CPUs so far, in seconds, from `/proc/stat`
/// (everything but idle and iowait; the kernel counts in 1/100 s).
fn machine_busy() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((ticks.iter().sum::<u64>() - idle) as f64 / 100.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("race: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| args.filters.is_empty() || args.filters.iter().any(|f| c.name.contains(f)))
        .collect();
    if cases.is_empty() {
        println!("race: no input matches {:?}", args.filters);
        return ExitCode::SUCCESS;
    }
    if args.list {
        for case in &cases {
            println!("race/{}: benchmark", case.name);
        }
        return ExitCode::SUCCESS;
    }
    // Same answer from every parser, or the race compares different work.
    for case in &cases {
        let parsers = case.head.parsers();
        let expected = (parsers[0].parse)(&case.bytes);
        assert_eq!(expected.0, case.bytes.len(), "{}: a whole head", case.name);
        for p in parsers {
            let got = (p.parse)(&case.bytes);
            assert_eq!(got, expected, "{}: {} disagrees", case.name, p.name);
        }
    }
    if !args.bench {
        for case in &cases {
            for p in case.head.parsers() {
                time(p, &case.bytes, 10);
            }
        }
        println!("race: test mode (no --bench): the parsers agree on every input");
        return ExitCode::SUCCESS;
    }

    let load_before = loadavg();
    let (started, cpu_start, busy_start) = (Instant::now(), thread_cpu_time(), machine_busy());
    let rows = race(&cases, &args);
    let seconds = started.elapsed().as_secs_f64();
    let ours = (thread_cpu_time() - cpu_start).as_secs_f64();
    let run = Run {
        seconds,
        cpu_share: ours / seconds,
        others: busy_start
            .zip(machine_busy())
            .map(|(a, b)| ((b - a - ours) / seconds).max(0.0)),
        load_before,
        load_after: loadavg(),
    };
    let json = report(&args, &rows, &run);
    match write_json(&json) {
        Ok(p) => println!("written to {}", p.display()),
        Err(e) => eprintln!("race: could not write race.json: {e}"),
    }
    ExitCode::SUCCESS
}

/// The timed rounds: one row per case, one cell per parser of its kind.
fn race<'c>(cases: &'c [Case], args: &Args) -> Vec<Row<'c>> {
    // Parses per batch, per case and parser; calibrated twice, the first
    // pass also warming caches, branch predictors and the CPU clock.
    let mut iters: Vec<Vec<u64>> = Vec::new();
    for _ in 0..2 {
        iters = cases
            .iter()
            .map(|c| {
                let parsers = c.head.parsers().iter();
                parsers
                    .map(|p| calibrate(p, &c.bytes, args.batch))
                    .collect()
            })
            .collect();
    }
    let mut rows: Vec<Row> = cases
        .iter()
        .map(|case| Row {
            case,
            cells: case
                .head
                .parsers()
                .iter()
                .map(|p| Cell {
                    parser: p.name,
                    ns: Vec::with_capacity(args.rounds),
                })
                .collect(),
        })
        .collect();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut case_order: Vec<usize> = (0..cases.len()).collect();
    for _ in 0..args.rounds {
        rng.shuffle(&mut case_order);
        for &ci in &case_order {
            let parsers = cases[ci].head.parsers();
            let mut order: Vec<usize> = (0..parsers.len()).collect();
            rng.shuffle(&mut order);
            for pi in order {
                let ns = time(&parsers[pi], &cases[ci].bytes, iters[ci][pi]);
                rows[ci].cells[pi].ns.push(ns);
            }
        }
    }
    rows
}

/// What the report says about the run besides its figures.
struct Run {
    /// Wall time of the whole race.
    seconds: f64,
    /// The share of that time this thread ran: below 1, other processes
    /// had the core part of the time.
    cpu_share: f64,
    /// How many cores' worth of CPU time everything else used meanwhile
    /// (0 on a quiet machine): on this machine a busy neighbour core slows
    /// the parsers unequally, even with the race's own core to itself.
    others: Option<f64>,
    load_before: String,
    load_after: String,
}

/// Prints the table and returns it as JSON for `benches/report.py`.
fn report(args: &Args, rows: &[Row], run: &Run) -> String {
    let (path, avx2, sse42, avx512) = simd();
    println!(
        "race: {} rounds of {:.1} ms batches, {:.1} s, {:.0}% of it on a core, other processes \
         {} cores meanwhile; {}; httpwire's path: {path} (AVX2 {avx2}, SSE4.2 {sse42}, \
         AVX-512F {avx512}); load {} -> {}",
        args.rounds,
        args.batch.as_secs_f64() * 1e3,
        run.seconds,
        run.cpu_share * 100.0,
        run.others.map_or("?".into(), |o| format!("{o:.2}")),
        cpu_model(),
        run.load_before,
        run.load_after,
    );
    println!(
        "median ns (thread CPU time) per parse; ratio = median of the per-round ratios peer / ours \
         (above 1.0: we are faster), in brackets their quartiles, then the ratio of the parsers' \
         10th-percentile times (the fastest rounds)"
    );
    println!(
        "{:<17} {:>6} {:>10} {:>10} {:>10} {:>30} {:>30}",
        "input", "bytes", "httpwire", "httparse", "pico", "httparse/ours", "pico/ours"
    );
    let exe = std::env::current_exe().unwrap_or_default();
    let mut json = String::from("{\n");
    writeln!(json, "  \"command\": {},", json_str(&command(&args.given))).unwrap();
    writeln!(json, "  \"rounds\": {},", args.rounds).unwrap();
    writeln!(json, "  \"batch_ms\": {},", args.batch.as_secs_f64() * 1e3).unwrap();
    writeln!(json, "  \"seconds\": {:.2},", run.seconds).unwrap();
    writeln!(json, "  \"cpu_share\": {:.3},", run.cpu_share).unwrap();
    writeln!(json, "  \"clock\": \"thread CPU time\",").unwrap();
    let others = run.others.map_or("null".into(), |o| format!("{o:.3}"));
    writeln!(json, "  \"others_cores\": {others},").unwrap();
    writeln!(json, "  \"cpu\": {},", json_str(&cpu_model())).unwrap();
    writeln!(json, "  \"ours_path\": \"{path}\",").unwrap();
    writeln!(
        json,
        "  \"avx2\": {avx2}, \"sse4_2\": {sse42}, \"avx512f\": {avx512},"
    )
    .unwrap();
    writeln!(json, "  \"load_before\": \"{}\",", run.load_before).unwrap();
    writeln!(json, "  \"load_after\": \"{}\",", run.load_after).unwrap();
    writeln!(json, "  \"exe\": {},", json_str(&exe.display().to_string())).unwrap();
    json.push_str("  \"rows\": [\n");
    for (ri, row) in rows.iter().enumerate() {
        let cell = |name| row.cells.iter().find(|c| c.parser == name);
        let mut line = format!("{:<17} {:>6}", row.case.name, row.case.bytes.len());
        let mut fields = vec![
            format!("\"input\": \"{}\"", row.case.name),
            format!("\"bytes\": {}", row.case.bytes.len()),
            format!("\"head\": \"{:?}\"", row.case.head),
        ];
        for name in ["httpwire", "httparse", "pico"] {
            match cell(name) {
                Some(c) => {
                    let m = quantile(&c.ns, 0.5);
                    write!(line, " {:>10}", format!("{m:.1} ns")).unwrap();
                    fields.push(format!("\"{name}\": {m:.3}"));
                    fields.push(format!("\"{name}_p10\": {:.3}", quantile(&c.ns, 0.1)));
                }
                None => write!(line, " {:>10}", "-").unwrap(),
            }
        }
        for peer in ["httparse", "pico"] {
            let (Some(ours), Some(theirs)) = (cell("httpwire"), cell(peer)) else {
                write!(line, " {:>30}", "-").unwrap();
                continue;
            };
            // Per-round ratios: the batches of one input in one round ran
            // within milliseconds of each other, so each ratio compares
            // parsers on one machine state.
            let per_round: Vec<f64> = theirs.ns.iter().zip(&ours.ns).map(|(t, o)| t / o).collect();
            let [q1, ratio, q3] = [0.25, 0.5, 0.75].map(|q| quantile(&per_round, q));
            // This machine has fast and slow spells (a busy neighbour core,
            // or the host's), lasting several rounds and slowing the parsers
            // unequally; the fastest rounds show the undisturbed machine.
            let fast = quantile(&theirs.ns, 0.1) / quantile(&ours.ns, 0.1);
            let cell = format!("{ratio:.2}× ({q1:.2}–{q3:.2}) p10 {fast:.2}×");
            write!(line, " {cell:>30}").unwrap();
            fields.push(format!(
                "\"{peer}/ours\": {ratio:.4}, \"{peer}/ours_q1\": {q1:.4}, \"{peer}/ours_q3\": {q3:.4}, \"{peer}/ours_p10\": {fast:.4}"
            ));
        }
        println!("{line}");
        let comma = if ri + 1 < rows.len() { "," } else { "" };
        writeln!(json, "    {{{}}}{comma}", fields.join(", ")).unwrap();
    }
    json.push_str("  ]\n}\n");
    json
}

fn command(given: &[String]) -> String {
    let mut c = String::from("cargo bench --bench race");
    if !given.is_empty() {
        c.push_str(" -- ");
        c.push_str(&given.join(" "));
    }
    c
}

/// `target/race/race.json`, found from this binary's place
/// (`target/<profile>/deps/race-…`), so `CARGO_TARGET_DIR` is honoured.
fn write_json(json: &str) -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or_else(|| std::io::Error::other("no target directory above the binary"))?;
    let dir = target.join("race");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("race.json");
    std::fs::write(&path, json)?;
    Ok(path)
}
