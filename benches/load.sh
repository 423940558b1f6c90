#!/usr/bin/env bash
# Load benchmark: httpwire's echo server next to nginx, on this machine.
#
# Builds the release binary, installs wrk, nginx and strace from Debian if
# they are missing, then runs benches/load.py (wrk against both servers,
# alternating, several rounds; then each scenario once more under `strace -c`
# for the system calls per request; resident memory with 1,000 idle
# keep-alive connections)
# and benches/attacks.py (slowloris, slow and huge bodies, floods, faults,
# slow peers: clients that never read and bodies that trickle,
# against the binary). Both write their own part of the `## Load` section of
# BENCHMARKS.md (between <!-- load:begin --> and <!-- load:end -->); load.py
# also draws benches/load.svg (requests/s, httpwire next to nginx).
#
# Usage: benches/load.sh [--rounds N] [--duration SECONDS] [--workers N] [--io-model events|threads]
#                        [--no-write] [--no-attacks]
# (--workers: httpwire's worker threads, default 1 like nginx's one worker process; 0 = its default)
# Loopback only; every process it starts is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

attacks=1
args=()
for arg in "$@"; do
    case "$arg" in
        --no-attacks) attacks=0 ;;
        *) args+=("$arg") ;;
    esac
done

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v strace >/dev/null || need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
    echo "load.sh: installing ${need[*]} from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The Debian package starts a system nginx on port 80 where systemd runs;
# ours is a separate process with its own prefix, so that one is left alone.

cargo build --release --bin httpwire
bin="$PWD/target/release/httpwire"

python3 benches/load.py --bin "$bin" "${args[@]}"
if [ "$attacks" = 1 ]; then
    write=()
    for arg in "${args[@]}"; do
        if [ "$arg" = --no-write ]; then write=(--no-write); fi
    done
    python3 benches/attacks.py --bin "$bin" "${write[@]}"
fi
