//! The client role of the sans-IO connection: request framing, response
//! framing by method, 1xx, close-delimited bodies, reuse, upgrades and
//! errors (RULES PC-1, PC-4, PC-6, RS-3, RS-5 to RS-14).

use httpwire::conn::{ClientConnection, ClientEvent, DataFrame, SendError};
use httpwire::{EncodeError, ErrorKind, Header, ResponseParser};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    Interim(u16),
    Res(u16, Vec<(String, String)>),
    Data(Vec<u8>),
    Trailer(String, Vec<u8>),
    End,
    NeedMore,
    Idle,
    Switched(Vec<u8>),
    Close,
    Err(ErrorKind),
}

#[path = "common/peer.rs"]
mod peer;

type Peer = peer::Peer<ClientConnection>;

const HOST: [Header<'static>; 1] = [Header {
    name: "Host",
    value: b"h",
}];

impl peer::Role for ClientConnection {
    type Ev = Ev;

    fn poll_owned(&mut self, input: &[u8]) -> (usize, Ev) {
        let mut headers = [Header::EMPTY; 32];
        let (used, ev) = match self.poll(input, &mut headers) {
            Ok(x) => x,
            Err(e) => return (0, Ev::Err(e.kind())),
        };
        let ev = match ev {
            ClientEvent::Interim(r) => Ev::Interim(r.status),
            ClientEvent::Response(r) => Ev::Res(
                r.status,
                r.headers
                    .iter()
                    .map(|h| {
                        // RS-3: what a user agent interprets, unfolded.
                        let pieces: Vec<&[u8]> = h.value_pieces().collect();
                        (
                            h.name.to_string(),
                            String::from_utf8(pieces.join(&b' ')).unwrap(),
                        )
                    })
                    .collect(),
            ),
            ClientEvent::Data(d) => Ev::Data(d.to_vec()),
            ClientEvent::Trailer(h) => Ev::Trailer(h.name.into(), h.value.to_vec()),
            ClientEvent::EndOfResponse => Ev::End,
            ClientEvent::NeedMore => Ev::NeedMore,
            ClientEvent::Idle => Ev::Idle,
            ClientEvent::Switched(rest) => Ev::Switched(rest.to_vec()),
            ClientEvent::Close => Ev::Close,
        };
        (used, ev)
    }

    fn waits(ev: &Ev) -> bool {
        matches!(
            ev,
            Ev::NeedMore | Ev::Idle | Ev::Switched(_) | Ev::Close | Ev::Err(_)
        )
    }

    fn send_data(&mut self, data: &[u8]) -> Result<DataFrame, SendError> {
        ClientConnection::send_data(self, data)
    }

    fn send_end(&mut self, trailers: &[Header<'_>], out: &mut [u8]) -> Result<usize, SendError> {
        ClientConnection::send_end(self, trailers, out)
    }
}

impl Peer {
    fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[Header<'_>],
        len: Option<u64>,
    ) -> Result<(), SendError> {
        self.write(|conn, buf| conn.send_request(method, target, headers, len, buf))
    }

    fn get(&mut self) {
        self.request("GET", "/", &HOST, Some(0)).unwrap();
        self.end(&[]).unwrap();
    }
}

fn res(status: u16, fields: &[(&str, &str)]) -> Ev {
    Ev::Res(
        status,
        fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn request_framing_follows_the_method_and_the_length() {
    let mut p = Peer::new();
    p.get();
    assert_eq!(
        p.take_out(),
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "no Content-Length: 0 on GET"
    );

    let mut p = Peer::new();
    p.request("POST", "/f", &HOST, Some(0)).unwrap();
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    );

    let mut p = Peer::new();
    p.request("PUT", "/f", &HOST, None).unwrap();
    p.data(b"abc").unwrap();
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "PUT /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    );

    let mut p = Peer::new();
    for (method, len) in [("CONNECT", None), ("CONNECT", Some(2)), ("TRACE", Some(1))] {
        let target = if method == "CONNECT" { "h:443" } else { "/" };
        assert_eq!(
            p.request(method, target, &HOST, len),
            Err(SendError::Encode(EncodeError::ConflictingFraming)),
            "{method} takes no body"
        );
    }
    let bad = p.request("GET", "/a b", &HOST, Some(0));
    assert_eq!(bad, Err(SendError::Encode(EncodeError::InvalidTarget)));
}

#[test]
fn a_response_with_a_length_ends_and_the_connection_is_reused() {
    let mut p = Peer::new();
    assert_eq!(p.events(), [Ev::Idle]);
    p.get();
    assert_eq!(
        p.request("GET", "/", &HOST, Some(0)),
        Err(SendError::WrongState),
        "one at a time"
    );
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab");
    assert_eq!(
        p.events(),
        [
            res(200, &[("Content-Length", "3")]),
            Ev::Data(b"ab".to_vec()),
            Ev::NeedMore
        ]
    );
    p.feed(b"c");
    assert_eq!(p.events(), [Ev::Data(b"c".to_vec()), Ev::End, Ev::Idle]);
    assert!(p.conn.keep_alive());
    p.get();
    p.feed(b"HTTP/1.1 204 No Content\r\n\r\n");
    assert_eq!(p.events(), [res(204, &[]), Ev::End, Ev::Idle]);
}

#[test]
fn rs11_any_number_of_interim_responses_precede_the_final_one() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n");
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        p.events(),
        [
            Ev::Interim(103),
            Ev::Interim(100),
            res(200, &[("Content-Length", "0")]),
            Ev::End,
            Ev::Idle
        ]
    );
}

#[test]
fn pc4_the_body_is_sent_after_100_continue() {
    let mut p = Peer::new();
    let h = [
        HOST[0],
        Header {
            name: "Expect",
            value: b"100-continue",
        },
    ];
    p.request("PUT", "/f", &h, Some(2)).unwrap();
    assert_eq!(
        p.events(),
        [Ev::NeedMore],
        "waiting for 100, a final response, or a timeout"
    );
    p.feed(b"HTTP/1.1 100 Continue\r\n\r\n");
    assert_eq!(p.events(), [Ev::Interim(100), Ev::NeedMore]);
    p.data(b"ok").unwrap();
    p.end(&[]).unwrap();
    p.feed(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        p.events(),
        [res(201, &[("Content-Length", "0")]), Ev::End, Ev::Idle]
    );
}

#[test]
fn rs12_an_early_final_response_stops_the_body_and_ends_the_connection() {
    let mut p = Peer::new();
    p.request("POST", "/big", &HOST, Some(1000)).unwrap();
    p.data(b"some").unwrap();
    p.feed(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        p.events(),
        [res(413, &[("Content-Length", "0")]), Ev::End, Ev::Close]
    );
    assert_eq!(p.data(b"more"), Err(SendError::WrongState));
    assert!(!p.conn.keep_alive());
}

#[test]
fn rs5_head_204_304_responses_have_no_body_whatever_they_say() {
    let mut p = Peer::new();
    p.request("HEAD", "/", &HOST, Some(0)).unwrap();
    p.end(&[]).unwrap();
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n");
    assert_eq!(
        p.events(),
        [res(200, &[("Content-Length", "50")]), Ev::End, Ev::Idle]
    );
    p.get();
    p.feed(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
    assert_eq!(
        p.events(),
        [res(304, &[("Content-Length", "50")]), Ev::End, Ev::Idle]
    );
}

#[test]
fn rs10_pc1_a_close_delimited_body_ends_at_the_close_and_the_connection_with_it() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\n\r\nall of");
    assert_eq!(
        p.events(),
        [res(200, &[]), Ev::Data(b"all of".to_vec()), Ev::NeedMore]
    );
    assert!(!p.conn.keep_alive());
    p.feed(b" it");
    p.conn.peer_closed();
    assert_eq!(p.events(), [Ev::Data(b" it".to_vec()), Ev::End, Ev::Close]);
    assert_eq!(
        p.request("GET", "/", &HOST, Some(0)),
        Err(SendError::WrongState)
    );
}

#[test]
fn chunked_responses_give_data_and_trailers() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n");
    assert_eq!(
        p.events(),
        [
            res(200, &[("Transfer-Encoding", "chunked")]),
            Ev::Data(b"hi".to_vec()),
            Ev::Trailer("X-T".into(), b"1".to_vec()),
            Ev::End,
            Ev::Idle
        ]
    );
}

#[test]
fn pc1_http10_responses_persist_only_with_keep_alive_both_ways() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        p.events()[1..],
        [Ev::End, Ev::Close],
        "the request did not say keep-alive"
    );

    let mut p = Peer::new();
    let h = [
        HOST[0],
        Header {
            name: "Connection",
            value: b"keep-alive",
        },
    ];
    p.request("GET", "/", &h, Some(0)).unwrap();
    p.end(&[]).unwrap();
    p.feed(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(p.events()[1..], [Ev::End, Ev::Idle]);

    for (request_close, response) in [
        (true, &b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"[..]),
        (
            false,
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ),
    ] {
        let mut p = Peer::new();
        let h = [
            HOST[0],
            Header {
                name: "Connection",
                value: b"close",
            },
        ];
        p.request("GET", "/", if request_close { &h } else { &HOST }, Some(0))
            .unwrap();
        p.end(&[]).unwrap();
        p.feed(response);
        assert_eq!(p.events()[1..], [Ev::End, Ev::Close]);
    }
}

#[test]
fn rs3_obs_fold_is_unfolded_for_the_user_agent() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nX-Long: a,\r\n  b\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        p.events()[0],
        res(200, &[("X-Long", "a, b"), ("Content-Length", "0")])
    );

    let mut p = Peer::new();
    p.conn = ClientConnection::with_parser(ResponseParser::new());
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nX-Long: a,\r\n  b\r\n\r\n");
    assert_eq!(
        p.events(),
        [Ev::Err(ErrorKind::ObsFold)],
        "a strict parser, as a proxy wants"
    );
}

#[test]
fn rs14_an_unasked_101_is_an_error() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::UnsolicitedSwitch)]);
    assert_eq!(
        p.poll(),
        Ev::Err(ErrorKind::UnsolicitedSwitch),
        "errors are final"
    );
    assert!(!p.conn.keep_alive());
}

#[test]
fn pc6_an_accepted_upgrade_hands_over_the_rest() {
    let mut p = Peer::new();
    let h = [
        HOST[0],
        Header {
            name: "Upgrade",
            value: b"websocket",
        },
        Header {
            name: "Connection",
            value: b"Upgrade",
        },
    ];
    p.request("GET", "/ws", &h, Some(0)).unwrap();
    p.end(&[]).unwrap();
    p.feed(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x00");
    let evs = p.events();
    assert_eq!(evs[1..], [Ev::Switched(b"\x81\x00".to_vec())]);
    assert!(matches!(evs[0], Ev::Res(101, _)));
}

#[test]
fn cn2_a_2xx_to_connect_is_a_tunnel_and_a_refusal_is_a_response() {
    let mut p = Peer::new();
    let h = [Header {
        name: "Host",
        value: b"h:443",
    }];
    p.request("CONNECT", "h:443", &h, Some(0)).unwrap();
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"
    );
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ntls");
    assert_eq!(
        p.events()[1..],
        [Ev::Switched(b"tls".to_vec())],
        "CN-2: the length is ignored"
    );

    let mut p = Peer::new();
    p.request("CONNECT", "h:443", &h, Some(0)).unwrap();
    p.end(&[]).unwrap();
    p.feed(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno");
    assert_eq!(
        p.events()[1..],
        [Ev::Data(b"no".to_vec()), Ev::End, Ev::Idle]
    );
}

#[test]
fn framing_errors_and_cut_responses_are_errors() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::DuplicateContentLength)]);

    let mut p = Peer::new();
    p.get();
    p.conn.peer_closed();
    assert_eq!(
        p.events(),
        [Ev::Err(ErrorKind::IncompleteHead)],
        "closed before any response"
    );

    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
    p.events();
    p.conn.peer_closed();
    assert_eq!(p.events(), [Ev::Err(ErrorKind::IncompleteBody)]);
}

#[test]
fn an_idle_connection_closed_by_the_server_is_not_reused() {
    let mut p = Peer::new();
    p.get();
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(p.events()[1..], [Ev::End, Ev::Idle]);
    p.conn.peer_closed();
    assert!(!p.conn.keep_alive());
    assert_eq!(p.events(), [Ev::Close]);
    assert_eq!(
        p.request("GET", "/", &HOST, Some(0)),
        Err(SendError::WrongState)
    );
}

#[test]
fn a_held_response_head_is_read_again() {
    let conn = ClientConnection::new();
    let mut headers = [Header::EMPTY; 4];
    let res = conn
        .held_response(b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", &mut headers)
        .unwrap();
    assert_eq!(
        res.headers[0].value_pieces().count(),
        2,
        "obs-fold, as the connection reads it"
    );
    assert!(conn
        .held_response(b"HTTP/1.1 200 OK\r\n", &mut headers)
        .is_none());
}
