//! The probe's cases: the server-level conformance cases of
//! `tests/cases/*.md` (those with a level, read with the default limits and
//! no opt-in), turned into bytes to send and what they must get.

#[path = "../../../tests/cases/mod.rs"]
mod cases;

use crate::judge::Probe;
pub use cases::Level;

impl Level {
    /// As written in the case files and the probe's table.
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::Profile => "profile",
        }
    }
}

/// A case as the probe runs it.
#[derive(Clone, Debug)]
pub struct ProbeCase {
    pub name: String,
    pub rules: Vec<String>,
    pub level: Level,
    pub probe: Probe,
}

/// Every server-level case, with `/` targets replaced by `path`.
pub fn all(path: &str) -> Vec<ProbeCase> {
    cases::all()
        .iter()
        .filter_map(|case| probe_case(case, path))
        .collect()
}

/// The probe's reading of one case, or `None` for a case a server cannot
/// be judged on over the wire: one without a level (parser-level or
/// response cases), one that needs an opt-in or other limits, and one
/// whose input is incomplete (a server rightly waits for the rest).
fn probe_case(case: &cases::Case, path: &str) -> Option<ProbeCase> {
    let level = case.level?;
    // Opt-ins and other limits, responses, and whole exchanges (which say
    // how the server answers) are not for a server as it is.
    if !case.options.is_empty() || case.method.is_some() || !case.respond.is_empty() {
        return None;
    }
    let mut methods = Vec::new();
    let mut refused = false;
    let mut refused_in_body = false;
    for line in &case.expect {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("request") if !refused => methods.push(words.next()?.to_string()),
            Some("error") => refused = true,
            // The last request's head was read, and its body is bad: that
            // request is the one refused.
            Some("body-error") => {
                methods.pop();
                refused = true;
                refused_in_body = true;
            }
            Some("field" | "framing" | "body" | "trailer" | "keep-alive" | "expects-continue") => {}
            // `incomplete` or `unread` (the server rightly waits for the
            // rest, which a follow-up would complete wrongly), or anything
            // the probe does not know how to judge over the wire.
            _ => return None,
        }
    }
    let bytes: Vec<u8> = case
        .blocks
        .iter()
        .flat_map(|block| with_path(block, path))
        .collect();
    Some(ProbeCase {
        name: case.name.clone(),
        rules: case.rules.clone(),
        level,
        probe: Probe {
            refused_method: method_of(case.blocks.get(methods.len()).unwrap_or(&bytes)),
            refused_in_body,
            methods,
            refused,
            bytes,
        },
    })
}

/// `block` with its request-target replaced by `path` when it is exactly
/// `/`, for servers whose `/` answers differently (`--path`).
fn with_path(block: &[u8], path: &str) -> Vec<u8> {
    let Some(sp) = block.iter().position(|&b| b == b' ') else {
        return block.to_vec();
    };
    match block.get(sp..sp + 3) {
        Some(b" / ") if path != "/" => {
            let mut out = block[..=sp].to_vec();
            out.extend_from_slice(path.as_bytes());
            out.extend_from_slice(&block[sp + 2..]);
            out
        }
        _ => block.to_vec(),
    }
}

/// The method a refused request's bytes begin with, for the framing of
/// the error response (`HEAD` gets no body).
fn method_of(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(0);
    let word = bytes[start..].split(|&b| b == b' ').next().unwrap_or(b"");
    String::from_utf8_lossy(word).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_slash_takes_the_path() {
        assert_eq!(
            with_path(b"GET / HTTP/1.1\r\n\r\n", "/index.html"),
            b"GET /index.html HTTP/1.1\r\n\r\n"
        );
        assert_eq!(
            with_path(b"GET /x HTTP/1.1\r\n\r\n", "/index.html"),
            b"GET /x HTTP/1.1\r\n\r\n"
        );
    }

    #[test]
    fn cases_of_every_level_are_probed() {
        let all = all("/");
        for level in [Level::Must, Level::Should, Level::Profile] {
            assert!(all.iter().any(|c| c.level == level), "{level:?}");
        }
        assert!(all.iter().any(|c| c.probe.refused));
        assert!(all.iter().any(|c| c.probe.methods.len() > 1));
    }
}
