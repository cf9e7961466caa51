//! The WGSL text the app ships: each line without its comment, indentation and the spaces
//! that separate no tokens. Line for line, so a compile error's line number still points at
//! the line in `shaders/`. `build.rs` applies it to every file; the registry test checks each
//! file's minified text against `shaders::Kernel`.

/// Characters that can continue a word (identifier, number, attribute): a space between two
/// of them separates tokens and stays.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@'
}

/// Brackets and separators: no token starts or ends with them together with another
/// character, so the space beside them never matters.
fn is_separator(c: char) -> bool {
    "(){}[],;:".contains(c)
}

/// Whether the space between `a` (end of one piece) and `b` (start of the next) must stay:
/// between two word characters, and between two operator characters (`a - -b`, `x < =`).
fn needs_space(a: char, b: char) -> bool {
    if is_separator(a) || is_separator(b) {
        return false;
    }
    is_word(a) == is_word(b)
}

/// One source line, minified. WGSL has no string literals, so `//` always starts a comment.
fn minify_line(line: &str) -> String {
    let code = line.split_once("//").map_or(line, |(code, _)| code);
    let mut out = String::with_capacity(code.len());
    for piece in code.split_whitespace() {
        let (Some(a), Some(b)) = (out.chars().last(), piece.chars().next()) else {
            out.push_str(piece);
            continue;
        };
        if needs_space(a, b) {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

/// `wgsl` minified, with exactly as many lines. Block comments (`/* */`) are not handled (a
/// `//` inside one would cut it short); the shaders use none, and the validation test would
/// catch one that broke.
pub fn minify(wgsl: &str) -> String {
    wgsl.split('\n').map(minify_line).collect::<Vec<_>>().join("\n")
}
