//! GPT-2's `bytes_to_unicode`: every byte gets a printable character, so that its files
//! (encoder.json, vocab.bpe) can spell byte strings as text, with no spaces or control
//! characters. Bytes that print as themselves in Latin-1 (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) keep
//! their character; the other 68, in increasing order, become U+0100, U+0101, … (so the space
//! 0x20 is `Ġ` U+0120 and the newline 0x0A is `Ċ` U+010A).

/// Bytes that stand for themselves (GPT-2's `bs` before the loop).
const fn prints_as_itself(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// Number of bytes that do not print as themselves: 256 − 94 − 12 − 82.
const SHIFTED: usize = 68;

/// byte -> its character, built at compile time.
const BYTE_TO_CHAR: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut next = 0u32; // how many non-printing bytes were seen so far
    let mut b = 0;
    while b < 256 {
        table[b] = if prints_as_itself(b as u8) {
            b as u8 as char
        } else {
            next += 1;
            match char::from_u32(256 + next - 1) {
                Some(c) => c,
                None => panic!("U+0100..U+0143 are valid characters"),
            }
        };
        b += 1;
    }
    table
};

/// The shifted characters U+0100 + n, back to their bytes (the n-th non-printing byte).
const SHIFTED_TO_BYTE: [u8; SHIFTED] = {
    let mut table = [0u8; SHIFTED];
    let mut n = 0;
    let mut b = 0;
    while b < 256 {
        if !prints_as_itself(b as u8) {
            table[n] = b as u8;
            n += 1;
        }
        b += 1;
    }
    table
};

/// The character GPT-2's files use for byte `b`.
pub fn byte_to_char(b: u8) -> char {
    BYTE_TO_CHAR[b as usize]
}

/// The byte a character of GPT-2's files stands for; `None` for characters outside the
/// 256-symbol alphabet.
pub fn char_to_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 256 && prints_as_itself(code as u8) {
        Some(code as u8)
    } else {
        SHIFTED_TO_BYTE.get(code.checked_sub(256)? as usize).copied()
    }
}

/// A token spelled in GPT-2's alphabet, as bytes; `Err(c)` names the first character that is
/// not one of the 256 symbols.
pub fn decode_symbols(token: &str) -> Result<Vec<u8>, char> {
    token.chars().map(|c| char_to_byte(c).ok_or(c)).collect()
}

/// Bytes spelled in GPT-2's alphabet (what encoder.json would call the token).
pub fn encode_symbols(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| byte_to_char(b)).collect()
}
