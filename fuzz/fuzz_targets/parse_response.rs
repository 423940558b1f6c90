//! The response head parser on arbitrary bytes: strict, and with the
//! leniencies of the input's settings byte (`Settings::read`: any
//! combination of the five, under the default or the small limits; input
//! without one, such as corpus files, runs strict with the default limits).
//! One configuration per execution, so the fuzzer explores the settings
//! over executions.
//!
//! Checks beyond "no panic": every complete head passes
//! `ResponseHead::of` (head length within the input and ending a line,
//! every slice inside the input, status 100-999, no CTL but HTAB in the
//! reason, names are tokens, unfolded value pieces hold no CR, LF or NUL,
//! framing for GET, HEAD and CONNECT as RFC 9112 §6.3 fixes it); without
//! obs-fold (the strict parse always) no value holds CR, LF or NUL, nor
//! leading or trailing whitespace; and the leniencies change nothing unless
//! the strict parse failed with an error they relax (`Lenient::relaxes`).
#![no_main]

use httpwire_fuzz::{is_text, parse_whole, Lenient, Outcome, ResponseHead, Settings};
use libfuzzer_sys::fuzz_target;

/// One line per value: field-vchar, SP and HTAB, trimmed (RFC 9110 §5.5,
/// RFC 9112 §5).
fn check_values(head: &ResponseHead, lenient: Lenient) {
    for (name, value) in &head.headers {
        assert!(
            value.iter().all(|&b| is_text(b))
                && !matches!(value.first(), Some(b' ' | b'\t'))
                && !matches!(value.last(), Some(b' ' | b'\t')),
            "value of {name}: {:?} ({lenient:?})",
            value.escape_ascii().to_string()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let (marked, payload) = Settings::read(data);
    let settings = marked.unwrap_or(Settings::DEFAULT);
    let limits = settings.limits();
    let lenient = settings.lenient;
    let strict = parse_whole(Lenient::STRICT.parser(limits), payload);
    if let Outcome::Complete(head) = &strict {
        check_values(head, Lenient::STRICT);
    }
    if lenient == Lenient::STRICT {
        return;
    }
    let outcome = parse_whole(lenient.parser(limits), payload);
    match &strict {
        Outcome::Error(kind, _) if lenient.relaxes(*kind) => {}
        _ => assert_eq!(
            outcome, strict,
            "{lenient:?} changed a result it does not relax (limits {limits:?})"
        ),
    }
    if let Outcome::Complete(head) = &outcome {
        if !lenient.obs_fold {
            check_values(head, lenient);
        }
    }
});
