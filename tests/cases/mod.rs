//! The conformance cases, read from the Markdown files of this directory
//! (the format is in `README.md` here). Plain std and no dependency, so
//! that any test or binary can `#[path]`-include this module; the files are
//! compiled in with `include_str!`.

// Each user of the module reads only part of it.
#![allow(dead_code)]

/// Every case file: its name (under `tests/cases/`) and text.
pub const FILES: &[(&str, &str)] = &[
    ("request-line.md", include_str!("request-line.md")),
    ("target.md", include_str!("target.md")),
    ("host.md", include_str!("host.md")),
    ("version.md", include_str!("version.md")),
    ("fields.md", include_str!("fields.md")),
    ("line-endings.md", include_str!("line-endings.md")),
    ("content-length.md", include_str!("content-length.md")),
    ("transfer-encoding.md", include_str!("transfer-encoding.md")),
    ("chunked.md", include_str!("chunked.md")),
    ("trailers.md", include_str!("trailers.md")),
    ("limits.md", include_str!("limits.md")),
    ("smuggling.md", include_str!("smuggling.md")),
    ("connect.md", include_str!("connect.md")),
    ("pipelining.md", include_str!("pipelining.md")),
    ("connection.md", include_str!("connection.md")),
    ("responses.md", include_str!("responses.md")),
];

/// How strongly the RFCs ask for a server-level case's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Must,
    Should,
    /// Our strict choice where the RFC leaves room.
    Profile,
}

/// One case, as written.
#[derive(Clone, Debug)]
pub struct Case {
    /// The file it is in, and the line of its `### name` heading.
    pub file: &'static str,
    pub line: usize,
    pub name: String,
    /// Rule ids (`CL-3`): the group heading's and the case's own.
    pub rules: Vec<String>,
    /// For server-level cases: the group's level unless the case sets one.
    pub level: Option<Level>,
    /// `allow_bare_lf`, `max_body=5`, ...: `(name, value)`.
    pub options: Vec<(String, Option<String>)>,
    /// Response cases only: the method of the request being answered.
    pub method: Option<String>,
    /// `valid/get_simple`: the case is also `corpus/valid/get_simple.http`.
    pub corpus: Option<String>,
    /// Set when the code disagrees with the expectation (why): the case
    /// then runs only in the ignored `known_disagreements` test.
    pub disagrees: Option<String>,
    /// Connection cases only: how the server answers each request in turn
    /// (`200 body=hello`, `101 Upgrade:websocket`); the last one repeats.
    pub respond: Vec<String>,
    /// The bytes on the wire, one block per message (see README.md).
    pub blocks: Vec<Vec<u8>>,
    /// The expected outcome, one item per line, escapes still in place.
    pub expect: Vec<String>,
}

impl Case {
    /// All of the case's bytes.
    pub fn input(&self) -> Vec<u8> {
        self.blocks.concat()
    }

    /// Where the case is: `tests/cases/<file>:<line> (<name>)`.
    pub fn place(&self) -> String {
        format!("tests/cases/{}:{} ({})", self.file, self.line, self.name)
    }

    /// The value of option `name`: `Some(None)` for a flag.
    pub fn option(&self, name: &str) -> Option<Option<&str>> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }
}

/// Every case of every file, in order. Panics on a malformed file.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    for (file, text) in FILES {
        cases.extend(parse(file, text).unwrap_or_else(|e| panic!("tests/cases/{file}: {e}")));
    }
    cases
}

/// Decodes the one escape convention of the case files: `\r`, `\n`, `\t`,
/// `\\`, `\xNN` (two hex digits) and `\{text*N}` (`text`, which has no `}`,
/// repeated N times); every other character stands for its UTF-8 bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let esc = &rest[at + 1..];
        let (bytes, used) = match esc.as_bytes().first() {
            Some(b'r') => (vec![b'\r'], 1),
            Some(b'n') => (vec![b'\n'], 1),
            Some(b't') => (vec![b'\t'], 1),
            Some(b'\\') => (vec![b'\\'], 1),
            Some(b'x') => {
                let hex = esc.get(1..3).ok_or("\\x needs two hex digits")?;
                let b = u8::from_str_radix(hex, 16).map_err(|_| format!("bad \\x{hex}"))?;
                (vec![b], 3)
            }
            Some(b'{') => {
                let end = esc.find('}').ok_or("unclosed \\{")?;
                let (unit, count) = esc[1..end].rsplit_once('*').ok_or("\\{ needs text*N")?;
                let n: usize = count.parse().map_err(|_| format!("bad count {count:?}"))?;
                (unit.repeat(n).into_bytes(), end + 1)
            }
            _ => return Err(format!("unknown escape in {text:?}")),
        };
        out.extend_from_slice(&bytes);
        rest = &esc[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

/// The inverse of [`decode`] for one line of text: a run of 48 or more
/// equal printable bytes is written `\{c*N}`, and a space at the end as
/// `\x20` (editors strip trailing spaces). With `lines`, a text line break
/// follows every `\n`, as the input blocks are written.
pub fn encode(bytes: &[u8], lines: bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let run = bytes[i..].iter().take_while(|&&c| c == b).count();
        if run >= 48 && b.is_ascii_graphic() && !b"\\{}*".contains(&b) {
            out.push_str(&format!("\\{{{}*{run}}}", char::from(b)));
            i += run;
            continue;
        }
        let at_end = i + 1 == bytes.len();
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str(if lines && i + 1 < bytes.len() {
                "\\n\n"
            } else {
                "\\n"
            }),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b' ' if at_end => out.push_str("\\x20"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
        i += 1;
    }
    out
}

/// The option keys a case or group may set, besides `rules` and `level`.
const CASE_KEYS: [&str; 7] = [
    "rules",
    "level",
    "options",
    "method",
    "corpus",
    "disagrees",
    "respond",
];

/// The rule ids in `text`: two capitals, `-`, digits (`SM-12`).
pub fn rule_ids(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut ids = Vec::new();
    for i in 0..b.len() {
        let word_before = i > 0 && b[i - 1].is_ascii_alphanumeric();
        if word_before || i + 3 > b.len() {
            continue;
        }
        if !(b[i].is_ascii_uppercase() && b[i + 1].is_ascii_uppercase() && b[i + 2] == b'-') {
            continue;
        }
        let digits = b[i + 3..].iter().take_while(|c| c.is_ascii_digit()).count();
        let end = i + 3 + digits;
        if digits > 0 && !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
            ids.push(text[i..end].to_string());
        }
    }
    ids
}

fn level(text: &str) -> Result<Level, String> {
    match text {
        "MUST" => Ok(Level::Must),
        "SHOULD" => Ok(Level::Should),
        "profile" => Ok(Level::Profile),
        _ => Err(format!("level {text:?}: MUST, SHOULD or profile")),
    }
}

/// Reads one case file.
pub fn parse(file: &'static str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut group_rules: Vec<String> = Vec::new();
    let mut group_level: Option<Level> = None;
    // Between a `## group` heading and its first case.
    let mut in_group = false;
    // The fenced block being read: its kind and lines.
    let mut fence: Option<(String, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        let at = |msg: String| format!("line {}: {msg}", n + 1);
        if let Some((kind, body)) = &mut fence {
            if line != "```" {
                body.push(line);
                continue;
            }
            let case = cases
                .last_mut()
                .ok_or_else(|| at("a block before the first case".into()))?;
            match kind.as_str() {
                "http" => case.blocks.push(decode(&body.concat()).map_err(&at)?),
                "expect" if case.expect.is_empty() => {
                    case.expect = body.iter().map(|l| l.to_string()).collect()
                }
                _ => return Err(at(format!("unexpected ```{kind} block"))),
            }
            fence = None;
        } else if let Some(kind) = line.strip_prefix("```") {
            fence = Some((kind.to_string(), Vec::new()));
        } else if let Some(name) = line.strip_prefix("### ") {
            in_group = false;
            cases.push(Case {
                file,
                line: n + 1,
                name: name.trim().to_string(),
                rules: group_rules.clone(),
                level: group_level,
                options: Vec::new(),
                method: None,
                corpus: None,
                disagrees: None,
                respond: Vec::new(),
                blocks: Vec::new(),
                expect: Vec::new(),
            });
        } else if let Some(heading) = line.strip_prefix("## ") {
            group_rules = rule_ids(heading);
            group_level = None;
            in_group = true;
        } else if line.starts_with("# ") && !cases.is_empty() {
            return Err(at("a file has one `# title`, before its cases".into()));
        } else if let Some((key, value)) = line
            .strip_prefix("- ")
            .and_then(|l| l.split_once(": "))
            .filter(|(k, _)| CASE_KEYS.contains(k))
        {
            let value = value.trim();
            match (key, cases.last_mut()) {
                ("level", _) if in_group => group_level = Some(level(value).map_err(at)?),
                ("rules", _) if in_group => group_rules.extend(rule_ids(value)),
                _ if in_group => return Err(at(format!("`{key}` is for a case, not a group"))),
                (_, None) => return Err(at(format!("`{key}` before the first case"))),
                ("rules", Some(c)) => c.rules.extend(rule_ids(value)),
                ("level", Some(c)) => c.level = Some(level(value).map_err(at)?),
                ("options", Some(c)) => {
                    c.options = value
                        .split(',')
                        .map(|o| match o.trim().split_once('=') {
                            Some((k, v)) => (k.to_string(), Some(v.to_string())),
                            None => (o.trim().to_string(), None),
                        })
                        .collect()
                }
                ("method", Some(c)) => c.method = Some(value.to_string()),
                ("corpus", Some(c)) => c.corpus = Some(value.to_string()),
                ("disagrees", Some(c)) => c.disagrees = Some(value.to_string()),
                ("respond", Some(c)) => c.respond.push(value.to_string()),
                _ => unreachable!(),
            }
        }
    }
    if fence.is_some() {
        return Err("unclosed ``` block".into());
    }
    for c in &cases {
        if c.blocks.is_empty() || c.expect.is_empty() {
            return Err(format!(
                "line {}: case {} needs ```http and ```expect blocks",
                c.line, c.name
            ));
        }
    }
    Ok(cases)
}
