//! `conn::InputBuffer` against a model: after any sequence of reads,
//! consumes, holds and releases (directly or through `split`), the held
//! head and the input are what the model says, and the free space is all
//! the storage they leave.

use httpwire::conn::InputBuffer;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Fill(usize),
    Consume(usize),
    Hold(usize),
    Release,
    /// Through `split`: consume, then fill.
    RestConsumeFill(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..40).prop_map(Op::Fill),
        (0usize..40).prop_map(Op::Consume),
        (0usize..20).prop_map(Op::Hold),
        Just(Op::Release),
        (0usize..20, 0usize..40).prop_map(|(c, f)| Op::RestConsumeFill(c, f)),
    ]
}

const SIZE: usize = 64;

proptest! {
    #[test]
    fn input_buffer_matches_its_model(ops in prop::collection::vec(op(), 0..60)) {
        let mut buf = InputBuffer::new([0u8; SIZE]);
        let mut held: Vec<u8> = Vec::new();
        let mut input: Vec<u8> = Vec::new();
        let mut next = 0u8;
        let mut bytes = |n: usize| -> Vec<u8> {
            (0..n).map(|_| { next = next.wrapping_add(1); next }).collect()
        };
        for op in ops {
            match op {
                Op::Fill(n) => {
                    let spare = buf.spare();
                    let free = SIZE - held.len() - input.len();
                    // Never more room than the head and input leave; none
                    // only when they fill the storage; all of it when there
                    // is nothing to keep.
                    prop_assert!(spare.len() <= free);
                    prop_assert_eq!(spare.is_empty(), free == 0);
                    if held.is_empty() && input.is_empty() {
                        prop_assert_eq!(spare.len(), SIZE);
                    }
                    let n = n.min(spare.len());
                    let new = bytes(n);
                    spare[..n].copy_from_slice(&new);
                    buf.filled(n);
                    input.extend_from_slice(&new);
                }
                Op::Consume(n) => {
                    buf.consume(n);
                    input.drain(..n.min(input.len()));
                }
                Op::Hold(n) => {
                    buf.hold(n);
                    let n = n.min(input.len());
                    held = input.drain(..n).collect();
                }
                Op::Release => {
                    buf.release();
                    held.clear();
                }
                Op::RestConsumeFill(c, f) => {
                    let (head, mut rest) = buf.split();
                    prop_assert_eq!(head, &held[..]);
                    prop_assert_eq!(rest.input(), &input[..]);
                    rest.consume(c);
                    input.drain(..c.min(input.len()));
                    let spare = rest.spare();
                    let free = SIZE - held.len() - input.len();
                    prop_assert!(spare.len() <= free);
                    prop_assert_eq!(spare.is_empty(), free == 0);
                    if input.is_empty() {
                        prop_assert_eq!(spare.len(), free);
                    }
                    let f = f.min(spare.len());
                    let new = bytes(f);
                    spare[..f].copy_from_slice(&new);
                    rest.filled(f);
                    input.extend_from_slice(&new);
                    // The head never moved while the rest was used.
                    prop_assert_eq!(head, &held[..]);
                }
            }
            prop_assert_eq!(buf.held(), &held[..]);
            prop_assert_eq!(buf.input(), &input[..]);
        }
    }
}
