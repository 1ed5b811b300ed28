//! What the fuzz tests share: damaging a litmus file.

/// `text` with one to three kinds of damage: a byte's bit flipped, a line
/// duplicated or dropped, a token of `splice` spliced in.
pub fn damage(text: &str, rng: &mut fastrand::Rng, splice: &[&str]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.usize(..3) {
        match rng.usize(..4) {
            // Flip a byte's bits.
            0 if !bytes.is_empty() => {
                let at = rng.usize(..bytes.len());
                bytes[at] ^= 1 << rng.u32(..8);
            }
            // Duplicate or drop a line.
            1 | 2 => {
                let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
                let at = rng.usize(..lines.len());
                let mut out: Vec<&[u8]> = Vec::new();
                for (i, line) in lines.iter().enumerate() {
                    if i == at && rng.bool() {
                        continue;
                    }
                    out.push(line);
                    if i == at {
                        out.push(line);
                    }
                }
                bytes = out.join(&b'\n');
            }
            // Splice a token in.
            _ => {
                let at = rng.usize(..=bytes.len());
                let token = splice[rng.usize(..splice.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    bytes
}
