// Byte-level tokens in the Tokens view (headless Chromium, CPU engine): Explore opens two
// checkpoints of the stand-in hub (hub-server.mjs, build/hf-fixtures/models) whose tokenizers
// split "中文 👍🏽 café" inside characters — the Llama one into byte-fallback tokens <0xE4>
// <0xB8> <0xAD>, the GPT-2 one the emoji across two tokens — and each run of tokens that spells
// one character is drawn as one box showing it over its chips, each chip with the tokenizers
// package's id, its position and its bytes (in hex where they are part of a character). Other
// views label tokens as the chips do: no `Ġ`, no `ä¸`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setup, typeText, waitForViews, ROOT } from './harness.mjs';
import { MODELS, startFixtureHub, routeHub } from './hub-fixtures.mjs';

const TIMEOUT = 180_000;
const PYTHON = join(ROOT, 'build/venv/bin/python');
const TEXT = '中文 👍🏽 café';

let env;
let hub;

before(async () => {
  hub = await startFixtureHub();
  env = await setup({ webgpu: false });
});
after(async () => {
  await env?.close();
  await hub?.close();
});

/** The ids the `tokenizers` package gives TEXT with model `name`'s tokenizer (special tokens as it adds them). */
function referenceIds(name) {
  const script = 'import sys; from tokenizers import Tokenizer; print(Tokenizer.from_file(sys.argv[1]).encode(sys.argv[2]).ids)';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, join(MODELS, name, 'tokenizer.json'), TEXT], { encoding: 'utf8' }));
}

/** Explore on hub model `name` with TEXT typed: the chips, grouped as drawn, and the heatmap labels. */
async function tokensOf(name) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  await routeHub(page, hub); // the page asks huggingface.co, as it would in use
  await page.goto(env.url + '#model=' + name);
  await waitForViews(page, { tokenizer: 'hub', timeout: TIMEOUT }); // the hub model's own draw (the default model drew first)
  await typeText(page, TEXT, { timeout: TIMEOUT });
  const shown = await page.evaluate(() => {
    const chip = (c) => ({ char: c.querySelector('.chip-char').textContent, id: Number(c.querySelector('.chip-id').textContent), pos: Number(c.dataset.pos) });
    const boxes = [...document.querySelectorAll('#view-tokens .chips')[0].children].map((n) => (n.classList.contains('chip-group')
      ? { text: n.querySelector('.chip-group-text').textContent, chips: [...n.querySelectorAll('button.chip')].map(chip) }
      : { text: null, chips: [chip(n)] }));
    return { boxes, ids: Array.from(window.playgroundDebug.input.ids), labels: window.playgroundDebug.input.labels };
  });
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
  await page.context().close();
  return shown;
}

test('tokens that hold parts of a character are boxed under the character, with the tokenizer\'s ids', { timeout: TIMEOUT }, async () => {
  // llama_bf16: SentencePiece-style BPE with byte fallback; the fixture's vocabulary has no CJK or emoji
  const llama = await tokensOf('llama_bf16');
  const chips = llama.boxes.flatMap((b) => b.chips);
  assert.deepEqual(chips.map((c) => c.id), referenceIds('llama_bf16'), 'the chips are the tokenizers package\'s ids');
  assert.deepEqual(chips.map((c) => c.pos), chips.map((_, i) => i), 'every chip keeps its position');
  assert.deepEqual(llama.boxes.filter((b) => b.text !== null).map((b) => [b.text, b.chips.length]),
    [['中', 3], ['文', 3], ['👍', 4], ['🏽', 4], ['é', 2]]);
  const zhong = llama.boxes.find((b) => b.text === '中');
  assert.deepEqual(zhong.chips.map((c) => c.char), ['E4', 'B8', 'AD'], 'a byte that is part of a character is shown in hex');
  assert.deepEqual(llama.boxes.slice(0, 2).map((b) => b.chips[0].char), ['<s>', '␣'], 'the BOS and the metaspace ▁ as a space');

  // gpt2_f32: GPT-2's byte-level BPE splits the emoji " 👍🏽" (20 F0 9F 91 | 8D F0 9F 8F BD) across two tokens
  const gpt2 = await tokensOf('gpt2_f32');
  assert.deepEqual(gpt2.boxes.flatMap((b) => b.chips.map((c) => c.id)), referenceIds('gpt2_f32'));
  const grouped = gpt2.boxes.filter((b) => b.text !== null);
  assert.deepEqual(grouped.map((b) => [b.text, b.chips.map((c) => c.char)]), [['␣👍🏽', ['20 F0 9F 91', '8D F0 9F 8F BD']]]);
  assert.deepEqual(gpt2.boxes.filter((b) => b.text === null).map((b) => b.chips[0].char), ['中', '文', '␣c', 'a', 'f', 'é'],
    'whole-character tokens show their text: no Ġ, no ä¸Ń');
  // the other views' token labels (heatmap axes, the output's context) are the chips' labels
  assert.deepEqual(gpt2.labels, gpt2.boxes.flatMap((b) => b.chips.map((c) => c.char)));
});
