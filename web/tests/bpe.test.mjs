// The BPE panel under Tokens (web/views/bpe.js), in headless Chromium: training a byte-level
// BPE on the page's text shows each merge with its count and the text re-tokenized after it,
// says what Ġ is, and when it stops, why: the vocabulary is full, or nothing is left to merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

const TIMEOUT = 60_000;
let env;
let page;

before(async () => {
  env = await setup({ webgpu: false });
  page = await env.newPage({ viewport: { width: 1280, height: 900 } });
});
after(async () => { await env?.close(); });

test('training a BPE on the text shows the merges and the text re-tokenized', async () => {
  await page.goto(env.url);
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: TIMEOUT });
  // GPT-2's split gives the pieces "abab", " abab", " abab": 14 bytes; the pair a b occurs 6 times
  await page.fill('#text', 'abab abab abab');
  await page.click('#bpe > summary');
  await page.click('text=Start on the text above');
  const status = page.locator('#view-bpe p.hint[aria-live]');
  await page.waitForFunction(() => /the text is 14 tokens/.test(document.querySelector('#view-bpe p.hint[aria-live]').textContent), null, { timeout: TIMEOUT });
  await page.click('text=One merge');
  await page.waitForFunction(() => document.querySelectorAll('#view-bpe .bpe-merges li').length === 1, null, { timeout: TIMEOUT });
  const first = await page.locator('#view-bpe .bpe-merges li').first().textContent();
  assert.match(first, /^a \+ b → ab id 256, seen 6×$/);
  // abab → [ab][ab]; " abab" → [Ġ][ab][ab]: 2 + 3 + 3 tokens
  assert.match(await status.textContent(), /1 merges, vocabulary 257: the text is 8 tokens/);
  // next: ab ab, once in each of the three pieces
  await page.click('text=One merge');
  await page.waitForFunction(() => document.querySelectorAll('#view-bpe .bpe-merges li').length === 2, null, { timeout: TIMEOUT });
  assert.match(await page.locator('#view-bpe .bpe-merges li').nth(1).textContent(), /^ab \+ ab → abab id 257, seen 3×$/);
  assert.match(await status.textContent(), /the text is 5 tokens/);
  const chips = await page.locator('#view-bpe .bpe-tokens .chip-char').allTextContents();
  assert.deepEqual(chips, ['abab', 'Ġ', 'abab', 'Ġ', 'abab']);
  assert.match(await page.textContent('#view-bpe'), /Ġ is a space \(a token that starts with Ġ starts a word\) and Ċ a newline/);
  await page.locator('#bpe').screenshot({ path: 'test-results/bpe-panel.png' });
  assert.deepEqual(page.errors, []);
});

test('BPE training says why it stopped: the vocabulary is full, or nothing is left to merge', async () => {
  const status = () => page.textContent('#view-bpe p.hint[aria-live]');
  const train = async (text, size) => {
    await page.fill('#text', text);
    await page.fill('#view-bpe input[aria-label="vocabulary size"]', String(size));
    await page.click('text=Start on the text above');
    await page.waitForFunction(() => /0 merges/.test(document.querySelector('#view-bpe p.hint[aria-live]').textContent), null, { timeout: TIMEOUT });
    await page.click('#view-bpe button:text("Play")');
    await page.waitForFunction(() => /Done: /.test(document.querySelector('#view-bpe p.hint[aria-live]').textContent), null, { timeout: TIMEOUT });
    return status();
  };
  assert.match(await train('abab abab abab', 258), /2 merges, vocabulary 258: .* Done: the vocabulary is full \(258 tokens\)\.$/);
  // "ab" and " ab": once a, b and Ġ, ab are merged, every piece is one token
  assert.match(await train('ab ab', 320), /2 merges, vocabulary 258: .* Done: nothing is left to merge, with the vocabulary at 258 of 320: every piece of the text is one token/);
  await page.locator('#bpe').screenshot({ path: 'test-results/bpe-panel-done.png' });
  assert.deepEqual(page.errors, []);
});
