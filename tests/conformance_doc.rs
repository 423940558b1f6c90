//! CONFORMANCE.md is where the rule ids the code cites (`SM-12`, `PC-4`,
//! ...) are defined. These tests keep it that way: every id cited anywhere
//! in `src/` has an entry (a `### ID: title` heading), entries are unique,
//! and every link in the document points at something that exists: a
//! heading of its own, a file (and a heading there, for `file#anchor`),
//! and, for a link into a Rust file, a test function of that name. Each
//! entry links exactly the cases of `tests/cases/` that name its id.
//!
//! No regex crate: the ids are found by scanning bytes, as `\b(RL|TG|...)-[0-9]+\b`
//! would.

#[path = "cases/mod.rs"]
mod cases;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The rule families, as CONFORMANCE.md groups them.
const FAMILIES: [&str; 20] = [
    "RL", "TG", "HO", "VR", "FN", "FV", "OF", "WS", "LE", "CL", "TE", "CH", "TR", "LM", "SM", "PL",
    "CN", "RS", "PC", "SR",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn conformance_md() -> String {
    fs::read_to_string(root().join("CONFORMANCE.md"))
        .expect("CONFORMANCE.md at the repository root")
}

/// A byte of a word, as regex `\w` has it in ASCII.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The rule ids in `text`: a family, `-`, one or more digits, with no word
/// byte on either side.
fn rule_ids(text: &[u8]) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..text.len() {
        if i > 0 && is_word(text[i - 1]) {
            continue;
        }
        let rest = &text[i..];
        if !FAMILIES.iter().any(|f| rest.starts_with(f.as_bytes())) || rest.get(2) != Some(&b'-') {
            continue;
        }
        let digits = rest[3..].iter().take_while(|b| b.is_ascii_digit()).count();
        let end = 3 + digits;
        if digits > 0 && !rest.get(end).copied().is_some_and(is_word) {
            ids.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        }
    }
    ids
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The rule entries of the document: the ids of its `### ID: title`
/// headings, in order.
fn entries(doc: &str) -> Vec<String> {
    doc.lines()
        .filter_map(|line| line.strip_prefix("### "))
        .map(|heading| heading.split(':').next().unwrap_or_default().to_string())
        .collect()
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_`
/// kept, spaces turned into `-`, everything else dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The `[text](target)` links of `doc`.
fn links(doc: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find("](") {
        let text_start = rest[..at].rfind('[').map_or(at, |s| s + 1);
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        found.push((&rest[text_start..at], &after[..end]));
        rest = &after[end..];
    }
    found
}

#[test]
fn every_rule_id_cited_in_src_has_an_entry() {
    let doc = conformance_md();
    let entries = entries(&doc);
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 10, "src/ not found: {files:?}");
    // Each cited id and the files that cite it.
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = fs::read(file).expect("readable source file");
        let name = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        for id in rule_ids(&text) {
            let citing = cited.entry(id).or_default();
            if !citing.contains(&name) {
                citing.push(name.clone());
            }
        }
    }
    assert!(cited.len() > 50, "too few ids found in src/: {cited:?}");
    let missing: Vec<String> = cited
        .iter()
        .filter(|(id, _)| !entries.contains(id))
        .map(|(id, files)| format!("{id} (cited in {})", files.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "rule ids cited in src/ without a `### ID: title` entry in CONFORMANCE.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn entries_are_rule_ids_each_once() {
    let entries = entries(&conformance_md());
    assert!(entries.len() > 100, "too few entries: {}", entries.len());
    for id in &entries {
        assert_eq!(
            rule_ids(id.as_bytes()),
            std::slice::from_ref(id),
            "entry heading {id:?} is not `ID: title`"
        );
    }
    let mut sorted = entries.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), entries.len(), "an entry appears twice");
}

#[test]
fn links_point_at_existing_headings_files_and_cases() {
    let doc = conformance_md();
    let anchors: Vec<String> = doc
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| anchor(line.trim_start_matches('#')))
        .collect();
    let mut broken = Vec::new();
    let links = links(&doc);
    assert!(links.len() > 300, "too few links: {}", links.len());
    for (text, target) in links {
        if let Some(fragment) = target.strip_prefix('#') {
            if !anchors.iter().any(|a| a == fragment) {
                broken.push(format!("[{text}]({target}): no such heading"));
            }
            continue;
        }
        let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
        let path = root().join(file);
        let Ok(content) = fs::read_to_string(&path) else {
            broken.push(format!("[{text}]({target}): no such file"));
            continue;
        };
        if !fragment.is_empty() {
            let found = content
                .lines()
                .filter(|line| line.starts_with('#'))
                .any(|line| anchor(line.trim_start_matches('#')) == fragment);
            if !found {
                broken.push(format!("[{text}]({target}): no such heading"));
            }
            continue;
        }
        // A test name linked to the Rust file that holds it: a `fn name(`.
        let is_name = !text.is_empty() && text.bytes().all(is_word);
        if target.ends_with(".rs") && is_name && !content.contains(&format!("fn {text}(")) {
            broken.push(format!("[{text}]({target}): no test of that name"));
        }
    }
    assert!(
        broken.is_empty(),
        "broken links in CONFORMANCE.md:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_scanner_finds_ids_as_whole_words_only() {
    let ids = rule_ids(b"RULES SM-12, (PC-4); RS-5 to RS-13. XSM-1 SM-1x SM- LE-3\n");
    assert_eq!(ids, ["SM-12", "PC-4", "RS-5", "RS-13", "LE-3"]);
    assert_eq!(
        anchor(" RL-2: exactly one SP, `;` and HTTP/1.1"),
        "rl-2-exactly-one-sp--and-http11"
    );
}

/// The case names each entry links (`[name](tests/cases/<file>.md#name)`).
fn linked_cases(doc: &str) -> BTreeMap<String, Vec<String>> {
    let mut linked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut entry = String::new();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            entry = heading.split(':').next().unwrap_or_default().to_string();
            continue;
        }
        for (_, target) in links(line) {
            if let Some((_, name)) = target
                .strip_prefix("tests/cases/")
                .and_then(|t| t.split_once(".md#"))
            {
                linked
                    .entry(entry.clone())
                    .or_default()
                    .push(name.to_string());
            }
        }
    }
    linked
}

/// Each rule entry links exactly the cases that name its id (in their group
/// heading or `- rules:` line), so the document leads to every case of a
/// rule and a case's rules are the entries it is listed under.
#[test]
fn entries_link_exactly_the_cases_of_their_rule() {
    let doc = conformance_md();
    let entries = entries(&doc);
    let linked = linked_cases(&doc);
    let all = cases::all();
    let mut wrong = Vec::new();
    for case in &all {
        for id in &case.rules {
            if !entries.contains(id) {
                wrong.push(format!("{}: {id} has no entry", case.place()));
            } else if !linked
                .get(id)
                .is_some_and(|names| names.contains(&case.name))
            {
                wrong.push(format!("{id}: the entry does not link {}", case.place()));
            }
        }
    }
    for (id, names) in &linked {
        for name in names {
            match all.iter().find(|c| &c.name == name) {
                None => wrong.push(format!("{id}: links {name}, which is no case")),
                Some(c) if !c.rules.contains(id) => wrong.push(format!(
                    "{id}: links {}, which does not name {id}",
                    c.place()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "CONFORMANCE.md and tests/cases disagree:\n{}",
        wrong.join("\n")
    );
}
