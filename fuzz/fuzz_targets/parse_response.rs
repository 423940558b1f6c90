//! The response head parser on arbitrary bytes, strict, with each leniency
//! alone and with all of them, under the default and the small limits.
//!
//! Checks beyond "no panic": every complete head passes
//! `ResponseHead::of` (head length within the input and ending a line,
//! every slice inside the input, status 100-999, no CTL but HTAB in the
//! reason, names are tokens, unfolded value pieces hold no CR, LF or NUL);
//! without obs-fold no value holds CR, LF or NUL, nor leading or trailing
//! whitespace; and a leniency changes nothing unless the strict parse failed
//! with an error it relaxes (`Lenient::relaxes`).
#![no_main]

use httpwire::Limits;
use httpwire_fuzz::{is_text, parse_whole, Lenient, Outcome, SMALL};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [Limits::DEFAULT, SMALL] {
        let strict = parse_whole(Lenient::STRICT.parser(limits), data);
        for lenient in Lenient::SETTINGS {
            let outcome = if lenient == Lenient::STRICT {
                strict.clone()
            } else {
                parse_whole(lenient.parser(limits), data)
            };
            match &strict {
                Outcome::Error(kind, _) if lenient.relaxes(*kind) => {}
                _ => assert_eq!(
                    outcome, strict,
                    "{lenient:?} changed a result it does not relax (limits {limits:?})"
                ),
            }
            let Outcome::Complete(head) = outcome else {
                continue;
            };
            if !lenient.obs_fold {
                // One line per value: field-vchar, SP and HTAB, trimmed
                // (RFC 9110 §5.5, RFC 9112 §5).
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
        }
    }
});
