#!/usr/bin/env bash
# Runs h1probe against nginx (Debian's package, installed if missing, as
# benches/load.sh does) and against our echo server, both on 127.0.0.1,
# and prints each table: the comparison in CONFORMANCE.md comes from here.
#
#   bash benches/probe_nginx.sh [--strict] [OUT_DIR]
#
# Writes OUT_DIR/nginx.txt and OUT_DIR/httpwire.txt (default: a new
# temporary directory). Every process started here is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

strict=()
if [ "${1:-}" = --strict ]; then
    strict=(--strict)
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
"$probe" "${strict[@]}" "127.0.0.1:$ngx_port" >>"$out/nginx.txt" || true
echo "httpwire $(git rev-parse --short HEAD 2>/dev/null || echo '?')" >"$out/httpwire.txt"
"$probe" "${strict[@]}" "127.0.0.1:$ours_port" >>"$out/httpwire.txt" || true

for server in nginx httpwire; do
    echo "== $server: $(head -1 "$out/$server.txt")"
    grep '^FAIL' "$out/$server.txt" || true
    tail -1 "$out/$server.txt"
done
echo "tables in $out"
