// Writes what tiktoken gives for GPT-2 on gpt2_parity.txt, as the expected values of the Rust
// parity test (tests/tests/bpe/gpt2_parity.rs), which runs this script when the JSON is missing
// or was made from another text.
//
// The oracle is js-tiktoken, tiktoken's own JavaScript port: the same GPT-2 ranks and split
// pattern as Python tiktoken, shipped in the npm package (`js-tiktoken/ranks/gpt2`), so no
// download is needed. For every line of the text (split on "\n") and for the whole text it
// records the ids, and for every line the pieces of the split pattern as JavaScript's regex
// engine cuts them (to show where a difference starts).
//
// One known difference from Python tiktoken, whose pattern runs on Rust's regex engine: there
// `\s` is Unicode White_Space, which includes U+0085 (NEL) and not U+FEFF (BOM); JavaScript's
// `\s` is the reverse. The parity text holds neither, and the Rust tests pin tiktoken's reading.
//
// usage: node tests/bpe/gpt2_ids.mjs [out.json]   (default: tests/bpe/gpt2_parity_ids.json)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tiktoken } from "js-tiktoken/lite";
import gpt2 from "js-tiktoken/ranks/gpt2";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "gpt2_parity_ids.json");
const text = readFileSync(join(here, "gpt2_parity.txt"), "utf8");
const packageJson = join(here, "..", "..", "node_modules", "js-tiktoken", "package.json"); // not in its "exports"
const version = JSON.parse(readFileSync(packageJson, "utf8")).version;

const enc = new Tiktoken(gpt2);
const pattern = new RegExp(gpt2.pat_str, "gu"); // the pattern js-tiktoken itself splits with
const lines = text.split("\n").map((line) => ({
  text: line,
  pieces: line.match(pattern) ?? [],
  ids: enc.encode(line),
}));

// one line per entry, so that a diff of this file shows which line changed
const json = [
  "{",
  `"oracle": ${JSON.stringify(`js-tiktoken ${version}, encoding gpt2`)},`,
  `"text": ${JSON.stringify(text)},`,
  `"whole": ${JSON.stringify(enc.encode(text))},`,
  `"lines": [`,
  lines.map((line) => JSON.stringify(line)).join(",\n"),
  "]",
  "}",
  "",
].join("\n");
writeFileSync(out, json);
console.log(`wrote ${out}: ${lines.length} lines, ${lines.reduce((n, l) => n + l.ids.length, 0)} ids in lines`);
