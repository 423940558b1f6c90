//! The same bytes fed in pieces give exactly the result of parsing them
//! whole: the same head, or the same error kind and offset, or `Partial`.
//!
//! One configuration per execution, from the input's settings byte
//! (`Settings::read`: bare LF allowed or not, default or small limits, and
//! which pieces), so the fuzzer explores the settings over executions:
//!
//! * pieces at fuzzer-chosen split points (the payload starting with
//!   `0xF0 | k`, see `split_plan`) or around every CR and LF, each call with
//!   a fresh buffer copy and header slice (so fields kept from an earlier
//!   call would show);
//! * or, with the settings' bytewise bit, one byte at a time (one buffer,
//!   one header slice).
//!
//! Input without a settings byte (corpus files, seeds) runs strict with the
//! default limits, and both: CR/LF cuts and one byte at a time.
#![no_main]

use httpwire_fuzz::{check_splits, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check_splits(data, Settings::request_parser));
