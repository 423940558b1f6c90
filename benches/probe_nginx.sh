#!/usr/bin/env bash
# Runs h1probe --strict against nginx (Debian's package, installed if
# missing, as benches/load.sh does) and against our echo server, both on
# 127.0.0.1, prints nginx's failures, and writes the comparison into
# CONFORMANCE.md (between its h1probe-nginx markers).
#
#   bash benches/probe_nginx.sh [--no-write] [OUT_DIR]
#
# Keeps both tables in OUT_DIR/nginx.txt and OUT_DIR/httpwire.txt (default:
# a new temporary directory). Every process started here is stopped by its
# PID.
set -euo pipefail
cd "$(dirname "$0")/.."

write=1
if [ "${1:-}" = --no-write ]; then
    write=0
    shift
fi
out="${1:-$(mktemp -d)}"
mkdir -p "$out"

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "probe_nginx.sh: installing nginx from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --bin h1probe --bin httpwire
probe="$PWD/target/release/h1probe"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_listening() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "probe_nginx.sh: nothing listens on port $1" >&2
    return 1
}

# nginx as load.sh runs it: one worker, the echo location, and `/`
# answering 200 (a `return` discards a request body after reading it).
ngx_port=$(free_port)
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    server {
        listen 127.0.0.1:$ngx_port;
        location ~ ^/echo/(.*)\$ { default_type text/plain; return 200 \$1; }
        location / { default_type text/plain; return 200 "ok"; }
    }
}
EOF
"$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" >/dev/null 2>&1 &
pids+=($!)
ours_port=$(free_port)
target/release/httpwire --port "$ours_port" --quiet >/dev/null 2>&1 &
pids+=($!)
wait_listening "$ngx_port"
wait_listening "$ours_port"

echo "nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///')" >"$out/nginx.txt"
"$probe" --strict "127.0.0.1:$ngx_port" >>"$out/nginx.txt" || true
echo "httpwire $(git rev-parse --short HEAD 2>/dev/null || echo '?')" >"$out/httpwire.txt"
"$probe" --strict "127.0.0.1:$ours_port" >>"$out/httpwire.txt" || true

for server in nginx httpwire; do
    echo "== $server: $(head -1 "$out/$server.txt")"
    grep '^FAIL' "$out/$server.txt" || true
    tail -1 "$out/$server.txt"
done
echo "tables in $out"
if [ "$write" = 1 ]; then
    python3 - "$out" CONFORMANCE.md <<'PY'
import datetime, re, sys
from pathlib import Path

out, doc = Path(sys.argv[1]), Path(sys.argv[2])
LEVELS = ["MUST", "SHOULD", "profile"]

def read(name):
    lines = (out / f"{name}.txt").read_text().splitlines()
    rows = [re.split(r"\s{2,}", l, maxsplit=4) for l in lines if l.startswith(("pass", "FAIL"))]
    return lines[0], rows

ngx_version, ngx = read("nginx")
ours_version, ours = read("httpwire")
def count(rows, level, verdict=None):
    return sum(1 for r in rows if r[1] == level and (verdict is None or r[0] == verdict))
table = ["| level | cases | httpwire passes | nginx passes |", "|---|---:|---:|---:|"]
for level in LEVELS:
    table.append(f"| {level} | {count(ngx, level)} | {count(ours, level, 'pass')} | {count(ngx, level, 'pass')} |")
table.append(f"| all | {len(ngx)} | {sum(r[0] == 'pass' for r in ours)} | {sum(r[0] == 'pass' for r in ngx)} |")
failures = ["| level | rules | case | what nginx did |", "|---|---|---|---|"]
for level in LEVELS:
    for r in ngx:
        if r[0] == "FAIL" and r[1] == level:
            detail = r[4].replace("|", "\\|")
            failures.append(f"| {level} | {r[2]} | `{r[3]}` | {detail} |")
block = "\n".join([
    "<!-- h1probe-nginx:begin -->",
    f"Written by `bash benches/probe_nginx.sh` on {datetime.date.today()}: {ngx_version} "
    f"(Debian's package, one worker, `location /` answering `return 200 \"ok\"`, so bodies are "
    f"read and discarded) and {ours_version} (the echo server, defaults), every case judged "
    "(`--strict`).",
    "",
    *table,
    "",
    "<details><summary>Every case nginx fails</summary>",
    "",
    *failures,
    "",
    "</details>",
    "<!-- h1probe-nginx:end -->",
])
text = doc.read_text()
begin, end = "<!-- h1probe-nginx:begin -->", "<!-- h1probe-nginx:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
doc.write_text(head + block + tail)
print(f"wrote the comparison into {doc}")
PY
fi
