//! Endpoints keyed by method and path prefix; the longest prefix wins.

use std::boxed::Box;
use std::collections::BTreeSet;
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec::Vec;

use super::request_body::{BodySink, RequestBody};
use super::types::{Request, Response};

/// A handler as stored: shared by every worker thread.
pub(crate) enum Handler {
    /// Runs once the whole body is read ([`Request::body`]), within the
    /// server's `limits.max_body`.
    Whole(Arc<dyn Fn(&Request) -> Response + Send + Sync + 'static>),
    /// Runs once the head is read, and reads the body itself, up to
    /// `max_body` bytes (`None`: no limit).
    Streaming {
        handler: Arc<StreamingHandler>,
        max_body: Option<u64>,
    },
    /// Runs once the head is read and gives the [`BodySink`] that the body's
    /// pieces are pushed to as they arrive, up to `max_body` bytes (`None`:
    /// no limit); the sink answers at the body's end.
    Sink {
        start: Arc<SinkStart>,
        max_body: Option<u64>,
    },
}

impl Handler {
    /// The endpoint's own body limit (`u64::MAX`: none), in place of the
    /// server's `limits.max_body`; `None` if it has none of its own.
    pub(crate) fn own_max_body(&self) -> Option<u64> {
        match self {
            Handler::Whole(_) => None,
            Handler::Streaming { max_body, .. } | Handler::Sink { max_body, .. } => {
                Some(max_body.unwrap_or(u64::MAX))
            }
        }
    }
}

/// The handler of a streaming endpoint.
pub(crate) type StreamingHandler =
    dyn Fn(&Request, RequestBody) -> Response + Send + Sync + 'static;

/// What starts a request to a sink endpoint: its body's sink.
pub(crate) type SinkStart =
    dyn Fn(&Request) -> Result<Box<dyn BodySink>, Response> + Send + Sync + 'static;

struct Route {
    method: String,
    prefix: String,
    handler: Handler,
}

/// What the router decided for a request.
pub(crate) enum Decision<'r> {
    /// Run this handler.
    Handler(&'r Handler),
    /// `OPTIONS`: answer `200` with `Allow: <methods>` and no body.
    Options(String),
    /// `404 Not Found`: no endpoint has a matching prefix.
    NotFound,
    /// `405 Method Not Allowed`: endpoints match the path, but not for this
    /// method; `Allow` lists the ones that do.
    MethodNotAllowed(String),
    /// `501 Not Implemented`: no endpoint uses this method at all.
    NotImplemented,
}

/// The endpoint table, frozen once the server runs.
pub(crate) struct Router {
    routes: Vec<Route>,
    /// [`Router::methods`], kept up to date by [`Router::add`].
    implemented: BTreeSet<String>,
    /// The same, as an `Allow` value.
    allow_all: String,
}

impl Default for Router {
    fn default() -> Self {
        Router {
            routes: Vec::new(),
            implemented: BTreeSet::from(["OPTIONS".to_string()]),
            allow_all: "OPTIONS".to_string(),
        }
    }
}

/// Does `prefix` match `path` on a segment boundary? `/echo` matches
/// `/echo` and `/echo/x` but not `/echoes`; `/echo/` matches `/echo/x` and
/// `/echo/` but not `/echo`; `/` matches every path, also a CONNECT's
/// authority (`host:port`), which has no `/` to match.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    if prefix == "/" {
        return true;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || prefix.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

impl Router {
    /// Adds (or replaces) the endpoint for `method` and `prefix`.
    pub(crate) fn add(&mut self, method: &str, prefix: &str, handler: Handler) {
        if let Some(route) = self
            .routes
            .iter_mut()
            .find(|r| r.method == method && r.prefix == prefix)
        {
            route.handler = handler;
            return;
        }
        self.routes.push(Route {
            method: method.to_string(),
            prefix: prefix.to_string(),
            handler,
        });
        let methods = self.methods();
        let allow_all = join(&methods);
        self.implemented = methods.into_iter().map(str::to_string).collect();
        self.allow_all = allow_all;
    }

    /// The largest body any endpoint takes: `whole` (the limit of the
    /// endpoints that take it whole) or an endpoint's own limit
    /// ([`Handler::own_max_body`]). What the head parser allows, before the
    /// request is routed and its endpoint's limit set.
    pub(crate) fn max_body(&self, whole: u64) -> u64 {
        self.routes
            .iter()
            .filter_map(|r| r.handler.own_max_body())
            .fold(whole, u64::max)
    }

    /// The longest prefix among `method`'s endpoints that matches `path`.
    fn find(&self, method: &str, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.method == method && prefix_matches(&r.prefix, path))
            .max_by_key(|r| r.prefix.len())
    }

    /// Every method the server answers: those of the endpoints, `HEAD`
    /// where there is `GET`, and `OPTIONS`.
    fn methods(&self) -> BTreeSet<&str> {
        let mut methods: BTreeSet<&str> = self.routes.iter().map(|r| r.method.as_str()).collect();
        if methods.contains("GET") {
            methods.insert("HEAD");
        }
        methods.insert("OPTIONS");
        methods
    }

    /// The methods with an endpoint matching `path` (plus `HEAD` for `GET`,
    /// and `OPTIONS`), or an empty set if no endpoint matches.
    fn methods_for(&self, path: &str) -> BTreeSet<&str> {
        let mut methods: BTreeSet<&str> = self
            .routes
            .iter()
            .filter(|r| prefix_matches(&r.prefix, path))
            .map(|r| r.method.as_str())
            .collect();
        if methods.is_empty() {
            return methods;
        }
        if methods.contains("GET") {
            methods.insert("HEAD");
        }
        methods.insert("OPTIONS");
        methods
    }

    /// Routes a request by method and path (the path of an absolute-form
    /// target, without the query).
    pub(crate) fn decide(&self, method: &str, path: &str, asterisk: bool) -> Decision<'_> {
        if !self.implemented.contains(method) {
            return Decision::NotImplemented;
        }
        if asterisk {
            // RFC 9112 §3.2.4: `OPTIONS *` is about the server as a whole.
            return Decision::Options(self.allow_all.clone());
        }
        if let Some(route) = self.find(method, path) {
            return Decision::Handler(&route.handler);
        }
        if method == "HEAD" {
            // RFC 9110 §9.3.2: HEAD is GET without the body.
            if let Some(route) = self.find("GET", path) {
                return Decision::Handler(&route.handler);
            }
        }
        let allowed = self.methods_for(path);
        if allowed.is_empty() {
            Decision::NotFound
        } else if method == "OPTIONS" {
            Decision::Options(join(&allowed))
        } else {
            Decision::MethodNotAllowed(join(&allowed))
        }
    }
}

fn join(methods: &BTreeSet<&str>) -> String {
    methods.iter().copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    fn router(routes: &[(&str, &str, &'static str)]) -> Router {
        let mut r = Router::default();
        for &(method, prefix, name) in routes {
            r.add(
                method,
                prefix,
                Handler::Whole(Arc::new(move |_: &Request| Response::text(name))),
            );
        }
        r
    }

    fn outcome(r: &Router, method: &str, path: &str) -> String {
        match r.decide(method, path, false) {
            Decision::Handler(Handler::Whole(h)) => {
                let body = h(&Request::from_parts(method, path, &[], b""))
                    .body()
                    .to_vec();
                String::from_utf8(body).unwrap()
            }
            Decision::Handler(Handler::Streaming { .. }) => "streaming".to_string(),
            Decision::Handler(Handler::Sink { .. }) => "sink".to_string(),
            Decision::Options(allow) => format!("options {allow}"),
            Decision::NotFound => "404".to_string(),
            Decision::MethodNotAllowed(allow) => format!("405 {allow}"),
            Decision::NotImplemented => "501".to_string(),
        }
    }

    #[test]
    fn segment_prefixes() {
        assert!(prefix_matches("/echo", "/echo"));
        assert!(prefix_matches("/echo", "/echo/x"));
        assert!(!prefix_matches("/echo", "/echoes"));
        assert!(prefix_matches("/echo/", "/echo/x"));
        assert!(!prefix_matches("/echo/", "/echo"));
        assert!(prefix_matches("/", "/anything"));
        assert!(prefix_matches("/", "example.com:443"));
        assert!(!prefix_matches("/e", "example.com:443"));
    }

    #[test]
    fn longest_prefix_wins_regardless_of_order() {
        let r = router(&[
            ("GET", "/", "root"),
            ("GET", "/a/b", "ab"),
            ("GET", "/a", "a"),
        ]);
        assert_eq!(outcome(&r, "GET", "/a/b/c"), "ab");
        assert_eq!(outcome(&r, "GET", "/a/x"), "a");
        assert_eq!(outcome(&r, "GET", "/z"), "root");
    }

    #[test]
    fn method_outcomes() {
        let r = router(&[("GET", "/echo/", "get"), ("POST", "/echo", "post")]);
        assert_eq!(outcome(&r, "HEAD", "/echo/x"), "get");
        assert_eq!(outcome(&r, "PUT", "/echo/x"), "501");
        assert_eq!(outcome(&r, "get", "/echo/x"), "501");
        assert_eq!(outcome(&r, "POST", "/nope"), "404");
        assert_eq!(outcome(&r, "GET", "/echo"), "405 OPTIONS, POST");
        assert_eq!(
            outcome(&r, "OPTIONS", "/echo/x"),
            "options GET, HEAD, OPTIONS, POST"
        );
        assert_eq!(outcome(&r, "OPTIONS", "/nope"), "404");
        match r.decide("OPTIONS", "*", true) {
            Decision::Options(allow) => assert_eq!(allow, "GET, HEAD, OPTIONS, POST"),
            _ => panic!("OPTIONS * is answered by the server"),
        }
    }

    #[test]
    fn options_with_no_routes() {
        let r = Router::default();
        match r.decide("OPTIONS", "*", true) {
            Decision::Options(allow) => assert_eq!(allow, "OPTIONS"),
            _ => panic!("OPTIONS * is always answered"),
        }
        assert_eq!(outcome(&r, "GET", "/"), "501");
    }

    #[test]
    fn later_route_replaces_earlier() {
        let r = router(&[("GET", "/a", "one"), ("GET", "/a", "two")]);
        assert_eq!(outcome(&r, "GET", "/a"), "two");
    }

    struct Nothing;

    impl BodySink for Nothing {
        fn data(&mut self, _: &[u8]) -> Result<(), Response> {
            Ok(())
        }

        fn end(self: Box<Self>, _: &Request) -> Response {
            Response::new(204)
        }
    }

    #[test]
    fn the_parser_allows_the_largest_body_of_any_endpoint() {
        let streaming = |max_body| Handler::Streaming {
            handler: Arc::new(|_: &Request, _: RequestBody| Response::new(204)),
            max_body,
        };
        let mut r = router(&[("POST", "/whole", "whole")]);
        assert_eq!(r.max_body(100), 100);
        r.add("POST", "/small", streaming(Some(10)));
        assert_eq!(r.max_body(100), 100);
        r.add("POST", "/large", streaming(Some(1000)));
        assert_eq!(r.max_body(100), 1000);
        assert_eq!(outcome(&r, "POST", "/large/x"), "streaming");
        r.add("POST", "/any", streaming(None));
        assert_eq!(r.max_body(100), u64::MAX);
        // A sink endpoint's limit counts the same.
        let sink = |max_body| Handler::Sink {
            start: Arc::new(|_: &Request| -> Result<Box<dyn BodySink>, Response> {
                Ok(Box::new(Nothing))
            }),
            max_body,
        };
        let mut r = router(&[("POST", "/whole", "whole")]);
        r.add("POST", "/sink", sink(Some(2000)));
        assert_eq!(r.max_body(100), 2000);
        assert_eq!(outcome(&r, "POST", "/sink/x"), "sink");
        r.add("POST", "/sink", sink(None));
        assert_eq!(r.max_body(100), u64::MAX);
    }
}
