//! The echo server: `GET /echo/<text>` answers `<text>`; `POST /echo` (and
//! any path under it) answers with the request body (a large or chunked one
//! streamed back as it arrives).
//!
//! `cargo run --release` listens on 127.0.0.1:40000; `--help` lists the
//! flags. Ctrl-C or SIGTERM shuts it down gracefully.

use std::io::Read;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use httpwire::server::{Config, IoModel, Request, RequestBody, Response, Server};

const HELP: &str = "\
httpwire: an HTTP/1.1 echo server

USAGE:
    httpwire [OPTIONS]

ENDPOINTS:
    GET  /echo/<text>    answers <text> (text/plain)
    POST /echo[/...]     answers with the request body (streamed back as it arrives
                         if chunked or over 64 KiB)

OPTIONS:
    -a, --addr <IP>               address to listen on; IPv4 or IPv6 [default: 127.0.0.1]
    -p, --port <PORT>             port to listen on; 0 picks a free one [default: 40000]
    -w, --workers <N>             worker threads kept ready [default: the CPU count]
        --io-model <MODEL>        events (epoll: threads serve ready connections)
                                  or threads (one per connection)
                                  [default: events on Linux, else threads]
    -c, --max-connections <N>     connections served at once; more get 503 [default: 512]
        --max-body <BYTES>        largest request body; larger gets 413 (a chunked
                                  POST /echo that outgrows it once its echo has
                                  begun is cut short and closed); 0: none for
                                  POST /echo [default: 8388608]
        --max-head <BYTES>        largest request head; larger gets 431 [default: 65536]
        --max-headers <N>         most header fields; more gets 431 [default: 100]
        --max-request-line <BYTES>
                                  longest request-line; longer gets 414 [default: 8192]
        --head-timeout <TIME>     time to receive a whole head, else 408 [default: 10s]
        --body-timeout <TIME>     longest wait for body bytes, else 408 [default: 30s]
        --keep-alive-timeout <TIME>
                                  idle time before a persistent connection closes [default: 5s]
        --write-timeout <TIME>    time to write a response [default: 30s]
        --shutdown-timeout <TIME> grace period for requests in flight at shutdown [default: 10s]
        --no-server-header        send no Server header
    -q, --quiet                   no access log on stderr
    -h, --help                    print this help
    -V, --version                 print the version

TIME is a number of seconds (`1.5`) or a number with a unit: `500ms`, `10s`, `2m`.
";

struct Args {
    addr: String,
    port: u16,
    shutdown_timeout: Duration,
    /// POST /echo's body limit (`--max-body`, 0: `None`).
    echo_max_body: Option<u64>,
    config: Config,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else if let Some(m) = text.strip_suffix('m') {
        (m, 60.0)
    } else {
        (text, 1.0)
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(Duration::from_secs_f64(n * scale)),
        _ => Err(format!(
            "invalid time {text:?}: expected e.g. 1.5, 500ms, 10s or 2m (more than zero)"
        )),
    }
}

fn parse_io_model(text: &str) -> Result<IoModel, String> {
    match text {
        "events" => Ok(IoModel::Events),
        "threads" => Ok(IoModel::Threads),
        _ => Err(format!(
            "invalid I/O model {text:?}: expected events or threads"
        )),
    }
}

fn parse_args() -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;

    let mut args = Args {
        addr: "127.0.0.1".to_string(),
        port: 40000,
        shutdown_timeout: Duration::from_secs(10),
        echo_max_body: Some(httpwire::Limits::DEFAULT.max_body),
        config: Config {
            access_log: true,
            ..Config::default()
        },
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        let config = &mut args.config;
        match arg {
            Short('a') | Long("addr") => args.addr = parser.value()?.string()?,
            Short('p') | Long("port") => args.port = parser.value()?.parse()?,
            Short('w') | Long("workers") => config.workers = parser.value()?.parse()?,
            Long("io-model") => config.io_model = parser.value()?.parse_with(parse_io_model)?,
            Short('c') | Long("max-connections") => {
                config.max_connections = parser.value()?.parse()?
            }
            Long("max-body") => match parser.value()?.parse()? {
                // No limit for POST /echo, which streams; other requests
                // keep the default (their bodies are read whole).
                0 => args.echo_max_body = None,
                n => {
                    config.limits.max_body = n;
                    args.echo_max_body = Some(n);
                }
            },
            Long("max-head") => config.limits.max_head = parser.value()?.parse()?,
            Long("max-headers") => config.limits.max_headers = parser.value()?.parse()?,
            Long("max-request-line") => config.limits.max_request_line = parser.value()?.parse()?,
            Long("head-timeout") => {
                config.head_timeout = parser.value()?.parse_with(parse_duration)?
            }
            Long("body-timeout") => {
                config.body_timeout = parser.value()?.parse_with(parse_duration)?
            }
            Long("keep-alive-timeout") => {
                config.keep_alive_timeout = parser.value()?.parse_with(parse_duration)?
            }
            Long("write-timeout") => {
                config.write_timeout = parser.value()?.parse_with(parse_duration)?
            }
            Long("shutdown-timeout") => {
                args.shutdown_timeout = parser.value()?.parse_with(parse_duration)?
            }
            Long("no-server-header") => config.server_header = None,
            Short('q') | Long("quiet") => config.access_log = false,
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(None);
            }
            Short('V') | Long("version") => {
                println!("httpwire {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    if args.config.max_connections == 0 {
        return Err("--max-connections must be at least 1".into());
    }
    Ok(Some(args))
}

/// `GET /echo/<text>`: the rest of the path after `/echo/`, as sent.
fn echo_path(req: &Request) -> Response {
    let text = req.path().strip_prefix("/echo/").unwrap_or("");
    Response::text(text)
}

/// Bodies of a declared length up to this are read whole and answered in
/// one piece: head and body then go in one write, where streaming them
/// would take one for the head and one per piece (measured with `strace -c`
/// on keep-alive `POST /echo` of 4 KiB: 2 `sendto` per request streamed,
/// 1 whole).
const WHOLE_BODY: u64 = 64 * 1024;

/// `POST /echo`: the de-framed body, with the request's Content-Type;
/// streamed back as it arrives (a body of any size takes bounded memory)
/// unless it is small ([`WHOLE_BODY`]). Its length is announced if the
/// request declared one; otherwise it is chunked (HTTP/1.1) or ends with
/// the connection (HTTP/1.0).
///
/// A client that sends the whole body before reading the echo fills the
/// socket buffers both ways; the server's write timeout then ends the
/// connection.
fn echo_body(req: &Request, mut body: RequestBody) -> Response {
    let content_type = req
        .header_str("content-type")
        .unwrap_or("application/octet-stream")
        .to_string();
    let response = Response::new(200).with_header("Content-Type", content_type);
    // A failed read is answered by the server itself (400, 408, 413), which
    // then closes: what is returned with it is never sent.
    match body.content_length() {
        Some(length) if length <= WHOLE_BODY => {
            let mut whole = Vec::with_capacity(length as usize);
            match body.read_to_end(&mut whole) {
                Ok(_) => response.with_body(whole),
                Err(e) => Response::text(e.to_string()),
            }
        }
        length => {
            // The response head goes out before the body is read: start it
            // first, so that a client waiting for `100 Continue` gets it,
            // and the connection can persist.
            if let Err(e) = body.start() {
                return Response::text(e.to_string());
            }
            response.with_body_reader(body, length)
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("httpwire: {e}\nTry 'httpwire --help'.");
            return ExitCode::from(2);
        }
    };
    let mut server = match Server::new(&args.addr, args.port) {
        Ok(server) => server.with_config(args.config),
        Err(e) => {
            eprintln!("httpwire: {e}");
            return ExitCode::FAILURE;
        }
    };
    server.route("GET", "/echo/", echo_path).route_streaming(
        "POST",
        "/echo",
        args.echo_max_body,
        echo_body,
    );

    let handle = server.handle();
    let grace = args.shutdown_timeout;
    let (stopped_tx, stopped_rx) = mpsc::channel();
    let signal = ctrlc::set_handler(move || {
        if handle.is_shutting_down() {
            // A second Ctrl-C: the user does not want to wait.
            eprintln!("httpwire: stopping now");
            std::process::exit(130);
        }
        eprintln!("httpwire: shutting down (at most {grace:?} for requests in flight)");
        let _ = stopped_tx.send(handle.shutdown(grace));
    });
    if let Err(e) = signal {
        eprintln!("httpwire: cannot handle Ctrl-C/SIGTERM ({e}); stop with SIGKILL");
    }

    println!("listening on http://{}", server.local_addr());
    if let Err(e) = server.run() {
        eprintln!("httpwire: {e}");
        return ExitCode::FAILURE;
    }
    match stopped_rx.recv_timeout(Duration::from_secs(1)) {
        Ok(false) => {
            eprintln!("httpwire: some connections were cut off at the deadline");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
