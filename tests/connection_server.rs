//! The server role of the sans-IO connection, state by state and rule by
//! rule (RULES PL-1 to PL-6, PC-1 to PC-6), in the style of h11's
//! connection tests: events read, bytes written, and what is refused.

use httpwire::conn::{
    DataFrame, ProtocolError, SendError, ServerConnection, ServerEvent, CONTINUE,
};
use httpwire::{EncodeError, ErrorKind, Header};

/// An event, owned, for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    Req(String, String),
    Continue,
    Data(Vec<u8>),
    Trailer(String, Vec<u8>),
    End,
    NeedMore,
    Paused,
    Switched(Vec<u8>),
    Close,
    Err(ErrorKind, Option<u16>),
}

#[path = "common/peer.rs"]
mod peer;

type Peer = peer::Peer<ServerConnection>;

impl peer::Role for ServerConnection {
    type Ev = Ev;

    fn poll_owned(&mut self, input: &[u8]) -> (usize, Ev) {
        let mut headers = [Header::EMPTY; 32];
        let (used, ev) = match self.poll(input, &mut headers) {
            Ok((used, ev)) => (used, ev),
            Err(ProtocolError { error, status }) => return (0, Ev::Err(error.kind(), status)),
        };
        let ev = match ev {
            ServerEvent::Request(r) => Ev::Req(r.method.into(), r.target.into()),
            ServerEvent::Continue => Ev::Continue,
            ServerEvent::Data(d) => Ev::Data(d.to_vec()),
            ServerEvent::Trailer(h) => Ev::Trailer(h.name.into(), h.value.to_vec()),
            ServerEvent::EndOfRequest => Ev::End,
            ServerEvent::NeedMore => Ev::NeedMore,
            ServerEvent::Paused => Ev::Paused,
            ServerEvent::Switched(rest) => Ev::Switched(rest.to_vec()),
            ServerEvent::Close => Ev::Close,
        };
        (used, ev)
    }

    fn waits(ev: &Ev) -> bool {
        matches!(
            ev,
            Ev::NeedMore | Ev::Paused | Ev::Switched(_) | Ev::Close | Ev::Err(..) | Ev::Continue
        )
    }

    fn send_data(&mut self, data: &[u8]) -> Result<DataFrame, SendError> {
        ServerConnection::send_data(self, data)
    }

    fn send_end(&mut self, trailers: &[Header<'_>], out: &mut [u8]) -> Result<usize, SendError> {
        ServerConnection::send_end(self, trailers, out)
    }
}

impl Peer {
    fn respond(
        &mut self,
        status: u16,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<(), SendError> {
        self.write(|conn, buf| conn.respond(status, headers, body, buf))
    }

    fn head(
        &mut self,
        status: u16,
        headers: &[Header<'_>],
        len: Option<u64>,
    ) -> Result<(), SendError> {
        self.write(|conn, buf| conn.send_response(status, headers, len, buf))
    }
}

fn req(method: &str, target: &str) -> Ev {
    Ev::Req(method.into(), target.into())
}

const GET: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn a_request_without_body_ends_with_its_head_and_waits_for_the_response() {
    let mut p = Peer::new();
    p.feed(GET);
    assert_eq!(p.events(), [req("GET", "/a"), Ev::End, Ev::Paused]);
    assert_eq!(p.events(), [Ev::Paused], "still waiting for the response");
    p.respond(200, &[], b"hi").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    );
    assert!(p.conn.keep_alive());
    assert_eq!(p.events(), [Ev::NeedMore], "ready for the next request");
}

#[test]
fn a_head_arriving_in_pieces_is_consumed_when_complete() {
    let mut p = Peer::new();
    for (i, &b) in GET[..GET.len() - 1].iter().enumerate() {
        p.feed(&[b]);
        assert_eq!(p.poll(), Ev::NeedMore);
        assert_eq!(
            p.input.len(),
            i + 1,
            "nothing consumed before the head is complete"
        );
    }
    p.feed(b"\n");
    assert_eq!(p.poll(), req("GET", "/a"));
    assert!(p.input.is_empty());
}

#[test]
fn pl1_pl2_pipelined_requests_wait_for_each_response_in_order() {
    let mut p = Peer::new();
    p.feed(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /3 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(p.events(), [req("GET", "/1"), Ev::End, Ev::Paused]);
    assert!(
        !p.input.is_empty(),
        "the pipelined requests stay in the input"
    );
    p.respond(200, &[], b"1").unwrap();
    assert_eq!(p.events(), [req("GET", "/2"), Ev::End, Ev::Paused]);
    p.respond(200, &[], b"2").unwrap();
    assert_eq!(p.events(), [req("HEAD", "/3"), Ev::End, Ev::Paused]);
    p.respond(200, &[], b"three").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1\
         HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2\
         HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    );
    assert_eq!(p.events(), [Ev::NeedMore]);
}

#[test]
fn pl2_connection_close_ends_the_connection_after_the_response() {
    let mut p = Peer::new();
    p.feed(b"GET /1 HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(p.events(), [req("GET", "/1"), Ev::End, Ev::Paused]);
    assert!(!p.conn.keep_alive());
    p.respond(200, &[], b"").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(p.events(), [Ev::Close], "the second request is never read");
    assert_eq!(
        p.conn.send_response(200, &[], None, &mut [0; 64]),
        Err(SendError::WrongState)
    );
}

#[test]
fn pc1_a_response_that_says_close_ends_the_connection() {
    let mut p = Peer::new();
    p.feed(GET).feed(GET);
    p.events();
    p.respond(
        200,
        &[Header {
            name: "Connection",
            value: b"close",
        }],
        b"",
    )
    .unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert!(!p.conn.keep_alive());
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn pl3_http10_closes_unless_keep_alive_is_asked_and_then_says_so() {
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n");
    p.events();
    p.respond(200, &[], b"x").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"
    );
    assert_eq!(p.events(), [Ev::Close]);

    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n");
    p.events();
    p.respond(200, &[], b"x").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"
    );
    assert_eq!(p.events(), [req("GET", "/2"), Ev::End, Ev::Paused]);
}

#[test]
fn pl4_empty_lines_between_pipelined_requests_are_skipped() {
    let mut p = Peer::new();
    p.feed(GET).feed(b"\r\n\r\n").feed(GET);
    p.events();
    p.respond(200, &[], b"").unwrap();
    assert_eq!(p.events(), [req("GET", "/a"), Ev::End, Ev::Paused]);
}

#[test]
fn pl6_a_bad_request_after_good_ones_is_refused_after_their_responses() {
    let mut p = Peer::new();
    p.feed(GET)
        .feed(b"GET /bad path HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(p.events(), [req("GET", "/a"), Ev::End, Ev::Paused]);
    p.respond(200, &[], b"ok").unwrap();
    assert_eq!(p.events(), [Ev::Err(ErrorKind::InvalidVersion, Some(400))]);
    assert_eq!(
        p.poll(),
        Ev::Err(ErrorKind::InvalidVersion, Some(400)),
        "an error is final"
    );
    p.respond(400, &[], b"bad request").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\
         HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 11\r\n\r\nbad request"
    );
    assert_eq!(
        p.events(),
        [Ev::Close],
        "PC-5: nothing after the error response"
    );
    assert_eq!(
        p.conn.send_response(400, &[], None, &mut [0; 64]),
        Err(SendError::WrongState)
    );
}

#[test]
fn pc5_an_error_gives_the_status_to_send_and_only_one_response() {
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::MissingHost, Some(400))]);
    assert!(!p.conn.keep_alive());
    let e = p.conn.send_response(101, &[], None, &mut [0; 64]);
    assert_eq!(e, Err(SendError::InterimNotAllowed));
    p.respond(400, &[], b"").unwrap();
    assert!(p.take_out().contains("Connection: close\r\n"));
    assert_eq!(p.respond(400, &[], b""), Err(SendError::WrongState));
}

#[test]
fn a_body_error_while_a_response_is_under_way_allows_no_error_response() {
    let mut p = Peer::new();
    p.feed(b"POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    assert_eq!(
        p.events(),
        [req("POST", "/e"), Ev::Data(b"abc".to_vec()), Ev::NeedMore]
    );
    p.head(200, &[], None).unwrap();
    p.data(b"abc").unwrap();
    p.feed(b"zz\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::InvalidChunkSize, None)]);
    assert!(!p.conn.keep_alive());
}

#[test]
fn request_bodies_arrive_as_data_then_trailers_then_end() {
    let mut p = Peer::new();
    p.feed(b"POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel");
    assert_eq!(
        p.events(),
        [req("POST", "/u"), Ev::Data(b"hel".to_vec()), Ev::NeedMore]
    );
    p.feed(b"loGET");
    assert_eq!(p.events(), [Ev::Data(b"lo".to_vec()), Ev::End, Ev::Paused]);
    assert_eq!(p.input, b"GET");

    let mut p = Peer::new();
    p.feed(b"POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    p.feed(b"2\r\nab\r\n0\r\nX-Sum: 9\r\n\r\n");
    assert_eq!(
        p.events(),
        [
            req("POST", "/u"),
            Ev::Data(b"ab".to_vec()),
            Ev::Trailer("X-Sum".into(), b"9".to_vec()),
            Ev::End,
            Ev::Paused
        ]
    );
}

#[test]
fn a_response_may_stream_while_the_request_body_is_read() {
    let mut p = Peer::new();
    p.feed(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
    assert_eq!(
        p.events(),
        [req("POST", "/echo"), Ev::Data(b"ab".to_vec()), Ev::NeedMore]
    );
    p.head(200, &[], None).unwrap();
    p.data(b"ab").unwrap();
    p.feed(b"cd");
    assert_eq!(p.events(), [Ev::Data(b"cd".to_vec()), Ev::End, Ev::Paused]);
    p.data(b"cd").unwrap();
    p.end(&[Header {
        name: "X-N",
        value: b"2",
    }])
    .unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\nX-N: 2\r\n\r\n"
    );
    assert_eq!(p.events(), [Ev::NeedMore]);
}

#[test]
fn a_body_left_unread_after_the_response_is_read_before_the_next_request() {
    let mut p = Peer::new();
    p.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
    assert_eq!(p.events(), [req("POST", "/"), Ev::NeedMore]);
    p.respond(413, &[], b"").unwrap();
    assert!(
        p.conn.keep_alive(),
        "the body can still be read and skipped"
    );
    p.feed(b"abc").feed(GET);
    assert_eq!(
        p.events(),
        [
            Ev::Data(b"abc".to_vec()),
            Ev::End,
            req("GET", "/a"),
            Ev::End,
            Ev::Paused
        ]
    );
}

#[test]
fn pc3_unknown_length_is_chunked_to_http11_and_close_delimited_to_http10() {
    let mut p = Peer::new();
    p.feed(GET).events();
    p.head(200, &[], None).unwrap();
    assert!(p.conn.sends_body());
    p.data(b"hello").unwrap();
    p.data(b"").unwrap();
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    );
    assert!(p.conn.keep_alive());

    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .events();
    p.head(200, &[], None).unwrap();
    p.data(b"hello").unwrap();
    assert_eq!(
        p.end(&[Header {
            name: "X",
            value: b"1"
        }]),
        Err(SendError::TrailersNotAllowed)
    );
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello"
    );
    assert!(
        !p.conn.keep_alive(),
        "a close-delimited body ends the connection"
    );
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn pc3_no_body_after_head_204_205_304() {
    let mut p = Peer::new();
    p.feed(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").events();
    assert!(!p.conn.sends_body(), "no head sent yet");
    p.head(200, &[], Some(10)).unwrap();
    assert!(!p.conn.sends_body());
    assert_eq!(p.data(b"x"), Err(SendError::BodyNotAllowed));
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    );

    for (status, len, head) in [
        (204, None, "HTTP/1.1 204 No Content\r\n\r\n"),
        (204, Some(0), "HTTP/1.1 204 No Content\r\n\r\n"),
        (
            205,
            Some(0),
            "HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            205,
            None,
            "HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            304,
            Some(7),
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
        ),
        (304, None, "HTTP/1.1 304 Not Modified\r\n\r\n"),
    ] {
        let mut p = Peer::new();
        p.feed(GET).events();
        p.head(status, &[], len).unwrap();
        assert!(!p.conn.sends_body(), "{status}");
        assert_eq!(p.data(b"x"), Err(SendError::BodyNotAllowed), "{status}");
        p.end(&[]).unwrap();
        assert_eq!(p.take_out(), head);
    }
    for status in [204, 205] {
        let mut p = Peer::new();
        p.feed(GET).events();
        assert_eq!(
            p.head(status, &[], Some(3)),
            Err(SendError::Encode(EncodeError::ConflictingFraming))
        );
        assert_eq!(p.respond(status, &[], b""), Ok(()));
    }
}

#[test]
fn a_205_announces_its_empty_body_so_the_client_reuses_the_connection() {
    // RFC 9110 §15.3.6: without `Content-Length: 0` a client reads a 205's
    // body to the close (RFC 9112 §6.3), while this side keeps the
    // connection open: both would wait. Found by
    // tests/connection_properties.rs (client_and_server_round_trip).
    use httpwire::conn::{ClientConnection, ClientEvent};
    let mut client = ClientConnection::new();
    let mut request = [0u8; 64];
    let host = [Header {
        name: "Host",
        value: b"x",
    }];
    let n = client
        .send_request("GET", "/a", &host, Some(0), &mut request)
        .unwrap();
    client.send_end(&[], &mut request[n..]).unwrap();
    let mut p = Peer::new();
    p.feed(&request[..n]);
    assert_eq!(p.events(), [req("GET", "/a"), Ev::End, Ev::Paused]);
    p.respond(205, &[], b"").unwrap();
    assert!(p.conn.keep_alive());
    let response = p.take_out();
    let mut headers = [Header::EMPTY; 8];
    let (used, event) = client.poll(response.as_bytes(), &mut headers).unwrap();
    assert!(matches!(event, ClientEvent::Response(r) if r.status == 205));
    let rest = &response.as_bytes()[used..];
    assert_eq!(
        client.poll(rest, &mut headers).unwrap(),
        (0, ClientEvent::EndOfResponse)
    );
    assert!(client.keep_alive(), "both sides keep the connection");
}

#[test]
fn pc5_after_the_error_response_the_connection_says_close() {
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::MissingHost, Some(400))]);
    assert_eq!(p.events(), [Ev::Err(ErrorKind::MissingHost, Some(400))]);
    p.respond(400, &[], b"").unwrap();
    assert_eq!(p.events(), [Ev::Close]);
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn content_length_is_enforced_on_what_is_sent() {
    let mut p = Peer::new();
    p.feed(GET).events();
    p.head(200, &[], Some(4)).unwrap();
    p.data(b"abc").unwrap();
    assert_eq!(p.data(b"de"), Err(SendError::BodyTooLong));
    assert_eq!(p.end(&[]), Err(SendError::BodyIncomplete { remaining: 1 }));
    p.data(b"d").unwrap();
    p.end(&[]).unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"
    );
}

#[test]
fn send_data_into_frames_into_one_buffer_and_counts_nothing_it_could_not_write() {
    let mut p = Peer::new();
    p.feed(GET).events();
    assert_eq!(
        p.conn.send_data_into(b"x", &mut [0u8; 8]),
        Err(SendError::WrongState),
        "no data before the head"
    );
    p.head(200, &[], Some(5)).unwrap();
    let too_small = Err(SendError::Encode(EncodeError::BufferTooSmall { needed: 5 }));
    assert_eq!(p.conn.send_data_into(b"hello", &mut [0u8; 3]), too_small);
    let mut out = [0u8; 8];
    assert_eq!(
        p.conn.send_data_into(b"hello", &mut out),
        Ok(5),
        "the refused piece was not counted against the length"
    );
    assert_eq!(&out[..5], b"hello");
    p.end(&[]).unwrap();
    p.events();
    p.feed(GET).events();
    p.head(200, &[], None).unwrap();
    let mut out = [0u8; 16];
    assert_eq!(p.conn.send_data_into(b"hello", &mut out), Ok(10));
    assert_eq!(&out[..10], b"5\r\nhello\r\n", "chunked to HTTP/1.1");
}

#[test]
fn append_grows_a_vec_to_what_is_sent_and_leaves_it_as_it_was_on_an_error() {
    use httpwire::conn::append;
    let mut p = Peer::new();
    p.feed(GET).events();
    let mut out = b"before".to_vec();
    let end = append(&mut out, |o| p.conn.send_end(&[], o));
    assert_eq!(end, Err(SendError::WrongState));
    assert_eq!(out, b"before");
    let body = vec![b'x'; 3000];
    let n = append(&mut out, |o| p.conn.respond(200, &[], &body, o)).unwrap();
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n";
    assert_eq!(n, head.len() + body.len());
    assert_eq!(out.len(), 6 + n);
    assert_eq!(&out[6..6 + head.len()], head.as_bytes());
    assert!(out[6 + head.len()..].iter().all(|&b| b == b'x'));
}

#[test]
fn sending_out_of_order_is_refused_without_changing_anything() {
    let mut p = Peer::new();
    assert_eq!(
        p.respond(200, &[], b""),
        Err(SendError::WrongState),
        "no request yet"
    );
    assert_eq!(p.conn.send_data(b"x"), Err(SendError::WrongState));
    p.feed(GET).events();
    assert_eq!(p.data(b"x"), Err(SendError::WrongState), "no head yet");
    let small = p.conn.send_response(200, &[], Some(0), &mut [0u8; 8]);
    assert!(matches!(
        small,
        Err(SendError::Encode(EncodeError::BufferTooSmall { .. }))
    ));
    let bad = [Header {
        name: "X",
        value: b"a\r\nb",
    }];
    assert_eq!(
        p.head(200, &bad, None),
        Err(SendError::Encode(EncodeError::InvalidHeaderValue))
    );
    let framing = [Header {
        name: "Content-Length",
        value: b"3",
    }];
    assert_eq!(
        p.head(200, &framing, None),
        Err(SendError::Encode(EncodeError::ConflictingFraming))
    );
    p.respond(200, &[], b"").unwrap();
    assert_eq!(
        p.respond(200, &[], b""),
        Err(SendError::WrongState),
        "a second final response"
    );
}

#[test]
fn pc4_continue_is_asked_for_when_the_body_is_read_and_not_yet_sent() {
    let mut p = Peer::new();
    p.feed(b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    assert_eq!(p.events(), [req("PUT", "/f"), Ev::Continue]);
    p.out.extend_from_slice(CONTINUE);
    assert_eq!(p.events(), [Ev::NeedMore], "asked once");
    p.feed(b"ok");
    assert_eq!(p.events(), [Ev::Data(b"ok".to_vec()), Ev::End, Ev::Paused]);
    p.respond(201, &[], b"").unwrap();
    assert!(p.conn.keep_alive());
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn pl5_pc4_no_continue_when_the_body_came_with_the_head() {
    let mut p = Peer::new();
    p.feed(b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
    assert_eq!(
        p.events(),
        [
            req("PUT", "/f"),
            Ev::Data(b"ok".to_vec()),
            Ev::End,
            Ev::Paused
        ]
    );
    assert_eq!(
        p.conn.send_response(100, &[], None, &mut [0; 64]),
        Err(SendError::InterimNotAllowed),
        "settled: the body came"
    );
    p.respond(200, &[], b"").unwrap();
    assert!(p.conn.keep_alive());
}

#[test]
fn pc4_answering_without_reading_the_body_closes() {
    let mut p = Peer::new();
    p.feed(b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    assert_eq!(p.poll(), req("PUT", "/f"));
    p.respond(417, &[], b"").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert!(!p.conn.keep_alive());
    assert_eq!(
        p.events(),
        [Ev::NeedMore],
        "no 100 after the final response (SR-8)"
    );
}

#[test]
fn interim_responses_are_checked() {
    let mut p = Peer::new();
    p.feed(GET).events();
    assert_eq!(
        p.head(100, &[], None),
        Err(SendError::InterimNotAllowed),
        "no Expect"
    );
    assert_eq!(
        p.head(101, &[], None),
        Err(SendError::InterimNotAllowed),
        "no Upgrade"
    );
    p.head(
        103,
        &[Header {
            name: "Link",
            value: b"</s.css>",
        }],
        None,
    )
    .unwrap();
    p.head(103, &[], None).unwrap();
    p.respond(200, &[], b"").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n\
         HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    );

    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.0\r\n\r\n").events();
    assert_eq!(
        p.head(103, &[], None),
        Err(SendError::InterimNotAllowed),
        "HTTP/1.0"
    );
}

#[test]
fn pc6_upgrade_hands_over_the_rest_of_the_input() {
    let mut p = Peer::new();
    p.feed(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello");
    assert_eq!(p.poll(), req("GET", "/ws"));
    let up = [
        Header {
            name: "Upgrade",
            value: b"websocket",
        },
        Header {
            name: "Connection",
            value: b"Upgrade",
        },
    ];
    p.head(101, &up, None).unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    );
    assert_eq!(
        p.events(),
        [Ev::End, Ev::Switched(b"\x81\x05hello".to_vec())]
    );
    assert_eq!(
        p.conn.send_data(b"x"),
        Err(SendError::WrongState),
        "the output is the caller's"
    );
    assert!(!p.conn.keep_alive());
}

#[test]
fn pc6_upgrade_refused_goes_on_as_http() {
    let mut p = Peer::new();
    p.feed(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
        .feed(GET);
    p.events();
    p.respond(200, &[], b"no").unwrap();
    assert_eq!(p.events(), [req("GET", "/a"), Ev::End, Ev::Paused]);
}

#[test]
fn an_upgrade_field_not_listed_in_connection_is_not_a_request_to_upgrade() {
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")
        .events();
    assert_eq!(p.head(101, &[], None), Err(SendError::InterimNotAllowed));
}

#[test]
fn cn2_pc6_a_2xx_to_connect_starts_the_tunnel() {
    let mut p = Peer::new();
    p.feed(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01");
    assert_eq!(p.poll(), req("CONNECT", "example.com:443"));
    p.respond(200, &[], b"").unwrap();
    assert_eq!(p.take_out(), "HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(
        p.events(),
        [Ev::End, Ev::Switched(b"\x16\x03\x01".to_vec())]
    );
}

#[test]
fn a_refused_connect_closes() {
    let mut p = Peer::new();
    p.feed(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        .events();
    p.respond(403, &[], b"").unwrap();
    assert_eq!(
        p.take_out(),
        "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn the_peer_closing_between_requests_ends_the_connection_cleanly() {
    let mut p = Peer::new();
    p.conn.peer_closed();
    assert_eq!(p.events(), [Ev::Close]);

    let mut p = Peer::new();
    p.feed(GET).events();
    p.conn.peer_closed();
    assert_eq!(
        p.events(),
        [Ev::Paused],
        "a half-closed client still gets its response"
    );
    p.respond(200, &[], b"").unwrap();
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn empty_lines_before_the_close_are_no_request() {
    let mut p = Peer::new();
    p.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx\r\n");
    assert_eq!(
        p.events(),
        [
            req("POST", "/"),
            Ev::Data(b"x".to_vec()),
            Ev::End,
            Ev::Paused
        ]
    );
    p.respond(200, &[], b"").unwrap();
    p.conn.peer_closed();
    assert_eq!(
        p.events(),
        [Ev::Close],
        "the CRLF an old client adds after a body"
    );
}

#[test]
fn the_peer_closing_inside_a_message_is_an_incomplete_message() {
    let mut p = Peer::new();
    p.feed(b"GET / HT");
    assert_eq!(p.events(), [Ev::NeedMore]);
    p.conn.peer_closed();
    assert_eq!(p.events(), [Ev::Err(ErrorKind::IncompleteHead, Some(400))]);

    let mut p = Peer::new();
    p.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
    p.events();
    p.conn.peer_closed();
    assert_eq!(p.events(), [Ev::Err(ErrorKind::IncompleteBody, Some(400))]);
}

#[test]
fn limits_and_parser_options_come_from_the_parser() {
    let parser = httpwire::RequestParser::new().allow_bare_lf(true);
    let mut p = Peer::new();
    p.conn = ServerConnection::with_parser(parser);
    p.feed(b"GET / HTTP/1.1\nHost: x\n\n");
    assert_eq!(p.events(), [req("GET", "/"), Ev::End, Ev::Paused]);
}

#[test]
fn a_held_head_is_read_again_only_when_it_is_a_whole_valid_head() {
    let conn = ServerConnection::with_parser(httpwire::RequestParser::new().allow_bare_lf(true));
    let mut headers = [Header::EMPTY; 4];
    let req = conn
        .held_request(b"GET /h HTTP/1.1\nHost: x\n\n", &mut headers)
        .unwrap();
    assert_eq!(
        (req.target, req.headers.len()),
        ("/h", 1),
        "with the connection's own parser"
    );
    assert!(conn.held_request(GET, &mut headers).is_some());
    assert!(
        conn.held_request(&GET[..GET.len() - 1], &mut headers)
            .is_none(),
        "partial"
    );
    let mut two = GET.to_vec();
    two.extend_from_slice(b"x");
    assert!(
        conn.held_request(&two, &mut headers).is_none(),
        "more than the head"
    );
    assert!(
        conn.held_request(b"GET / HTTP/1.1\r\n\r\n", &mut headers)
            .is_none(),
        "invalid"
    );
}

#[test]
fn sr4_an_error_response_to_a_refused_head_request_has_no_body() {
    let mut p = Peer::new();
    p.feed(b"HEAD /x HTTP/1.1\r\nHost: a b\r\n\r\n");
    assert_eq!(p.events(), [Ev::Err(ErrorKind::InvalidHost, Some(400))]);
    p.respond(400, &[], b"Bad Request").unwrap();
    let out = p.take_out();
    assert!(out.ends_with("Content-Length: 11\r\n\r\n"), "{out}");
    assert_eq!(p.events(), [Ev::Close]);
}

#[test]
fn pc5_abandoning_a_request_allows_one_response_then_closes() {
    // A head cut short by the caller's timeout.
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\nHo");
    assert_eq!(p.events(), [Ev::NeedMore]);
    let abandoned = p.conn.abandon();
    assert_eq!(
        (abandoned.error.kind(), abandoned.status),
        (ErrorKind::Timeout, Some(408))
    );
    assert_eq!(p.events(), [Ev::Err(ErrorKind::Timeout, Some(408))]);
    p.respond(408, &[], b"").unwrap();
    assert!(p.take_out().contains("Connection: close\r\n"));
    assert_eq!(p.events(), [Ev::Close]);
    // A body cut short: the request is known, and stays unanswered.
    let mut p = Peer::new();
    p.feed(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
    assert_eq!(
        p.events(),
        [req("PUT", "/"), Ev::Data(b"ab".to_vec()), Ev::NeedMore]
    );
    assert_eq!(p.conn.abandon().status, Some(408));
    assert!(!p.conn.keep_alive());
    p.respond(408, &[], b"").unwrap();
    assert_eq!(p.events(), [Ev::Close]);
    // Once the response began there is nothing more to send.
    let mut p = Peer::new();
    p.feed(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
    p.events();
    p.head(200, &[], None).unwrap();
    assert_eq!(p.conn.abandon().status, None);
}

#[test]
fn sr1_a_reason_of_the_callers_replaces_the_registered_one() {
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    p.events();
    let mut buf = [0u8; 128];
    let bad = p
        .conn
        .send_response_with_reason(200, Some("A\r\nB"), &[], Some(0), &mut buf);
    assert_eq!(bad, Err(SendError::Encode(EncodeError::InvalidReason)));
    let n = p
        .conn
        .send_response_with_reason(200, Some("Fine"), &[], Some(0), &mut buf)
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 Fine\r\n"));
}

#[test]
fn pc4_a_final_response_after_continue_was_asked_for_closes_unless_the_body_began() {
    // The caller polled for the body, was asked for 100, and answered with
    // a final status instead: the client may or may not send the body.
    let mut p = Peer::new();
    p.feed(b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    assert_eq!(p.events(), [req("PUT", "/f"), Ev::Continue]);
    p.respond(404, &[], b"").unwrap();
    assert!(p.take_out().contains("Connection: close\r\n"));
    assert!(!p.conn.keep_alive());
    // Once the body began to arrive, it can be read to its end.
    let mut p = Peer::new();
    p.feed(b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    assert_eq!(p.events(), [req("PUT", "/f"), Ev::Continue]);
    p.feed(b"a");
    assert_eq!(p.events(), [Ev::Data(b"a".to_vec()), Ev::NeedMore]);
    p.respond(200, &[], b"").unwrap();
    assert!(p.conn.keep_alive());
}

#[test]
fn errors_are_errors_with_their_cause() {
    use std::error::Error as _;
    let mut p = Peer::new();
    p.feed(b"GET / HTTP/1.1\r\n\r\n");
    let mut headers = [Header::EMPTY; 4];
    let e = p.conn.poll(&p.input, &mut headers).unwrap_err();
    assert!(e.to_string().contains("answer 400, then close"), "{e}");
    assert!(e.source().is_some());
    let small = SendError::Encode(EncodeError::BufferTooSmall { needed: 9 });
    assert!(small.source().is_some());
    assert!(SendError::WrongState.source().is_none());
}

/// LM-6 with a limit set once the head is routed (`limit_body`): a parser
/// with a high limit lets the head through; the endpoint's limit then
/// refuses a Content-Length over it at once, and a chunked body at the
/// chunk-size that goes over it, after the data within it.
#[test]
fn lm6_a_body_limit_set_after_the_head() {
    let parser = httpwire::RequestParser::with_limits(httpwire::Limits {
        max_body: u64::MAX,
        ..httpwire::Limits::DEFAULT
    });
    let mut p = Peer::new();
    p.conn = ServerConnection::with_parser(parser.clone());
    p.feed(b"PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n");
    assert_eq!(p.poll(), req("PUT", "/a"));
    let refused = p.conn.limit_body(10).unwrap_err();
    assert_eq!(
        (refused.error.kind(), refused.status),
        (ErrorKind::BodyTooLarge, Some(413))
    );
    assert_eq!(p.poll(), Ev::Err(ErrorKind::BodyTooLarge, Some(413)));

    // Exactly the limit is fine; so is a limit above the parser's.
    let mut p = Peer::new();
    p.conn = ServerConnection::with_parser(parser.clone());
    p.feed(b"PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
    assert_eq!(p.poll(), req("PUT", "/a"));
    p.conn.limit_body(10).unwrap();
    assert_eq!(
        p.events(),
        [Ev::Data(b"0123456789".to_vec()), Ev::End, Ev::Paused]
    );

    let mut p = Peer::new();
    p.conn = ServerConnection::with_parser(parser);
    p.feed(b"PUT /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(p.poll(), req("PUT", "/a"));
    p.conn.limit_body(10).unwrap();
    p.feed(b"8\r\n01234567\r\n3\r\n890\r\n0\r\n\r\n");
    assert_eq!(
        p.events(),
        [
            Ev::Data(b"01234567".to_vec()),
            Ev::Err(ErrorKind::BodyTooLarge, Some(413))
        ]
    );
}
