"""The character classes the playground's hand-written split patterns rely on, against the
`tokenizers` package itself: its Oniguruma regexes' \\p{L}, \\p{N} and \\s must be exactly the
sets of crates/playground-core/src/bpe/unicode_tables.rs (generated from regex-syntax), on
every code point. If a `tokenizers` update moves to another Unicode version, this says where.
(The ids themselves are compared in tests/tests/hf_tokenizer.rs, on fixtures from
hf_fixtures.py.)
"""

import os
import re
import unittest

from tokenizers import Regex, pre_tokenizers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TABLES = os.path.join(ROOT, "crates", "playground-core", "src", "bpe", "unicode_tables.rs")
SEPARATOR = "!"  # in none of the three classes


def committed(name):
    """The code points of one table of unicode_tables.rs."""
    with open(TABLES, encoding="utf-8") as f:
        body = f.read().split(f"const {name}: &[(u32, u32)] = &[")[1].split("];")[0]
    points = set()
    for lo, hi in re.findall(r"\(0x([0-9A-F]+), 0x([0-9A-F]+)\)", body):
        points.update(range(int(lo, 16), int(hi, 16) + 1))
    return points


def matched_by(pattern):
    """The code points `tokenizers`' regex engine matches with `pattern`: every scalar value
    is put between separators, and the pieces without a separator are matches."""
    split = pre_tokenizers.Split(Regex(pattern), "isolated")
    scalars = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c) != SEPARATOR]
    points = set()
    for i in range(0, len(scalars), 50000):
        text = SEPARATOR.join(chr(c) for c in scalars[i:i + 50000])
        for piece, _ in split.pre_tokenize_str(text):
            if SEPARATOR not in piece:
                points.update(ord(c) for c in piece)
    return points


class CharacterClassesTest(unittest.TestCase):
    def test_oniguruma_classes_equal_the_committed_tables(self):
        for name, pattern in [("LETTER", r"\p{L}"), ("NUMBER", r"\p{N}"), ("SPACE", r"\s")]:
            ours, theirs = committed(name), matched_by(pattern)
            self.assertGreater(len(ours), 20, name)
            only_ours = sorted(hex(c) for c in ours - theirs)[:10]
            only_theirs = sorted(hex(c) for c in theirs - ours)[:10]
            self.assertEqual((only_ours, only_theirs), ([], []), f"{name}: only in our table / only in tokenizers'")
            print(f"\n{pattern}: {len(ours)} code points, the same in tokenizers' Oniguruma and unicode_tables.rs")


if __name__ == "__main__":
    unittest.main()
