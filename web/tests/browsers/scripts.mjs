// Text in any script on the default model (96 printable ASCII characters plus the newline), in
// every browser: a reader types Japanese, Arabic, Devanagari with its combining signs, emoji built
// of several code points, or letters with a combining accent. Each character the model does not
// know gets its own chip, spelled as itself (or as its code point when it would be invisible or
// would merge with its neighbour), in the order typed; the message names the first five with
// their code points and positions; the known characters keep their ids; and the address carries
// the text unchanged through a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS } from '../harness.mjs';
import { LOAD_MS, openExplore, pageErrors, typeText } from './page-steps.mjs';

export const TEXTS = [
  { name: 'cjk-arabic', text: 'the cat 日本語の猫 مرحبا بالقط' }, // wide characters; right-to-left letters among left-to-right ones
  { name: 'marks', text: 'café, cafe\u0301 नमस्ते' }, // é precomposed and as e + U+0301; Devanagari's virama and vowel signs
  { name: 'emoji', text: 'a cat 🐈 👩‍👩‍👧 🇯🇵 𝔘!' }, // beyond U+FFFF; a family joined by U+200D; a flag of two regional indicators
];
const NAMED = 5; // unknown characters the message names

/** How the page spells one code point on a chip: itself, or U+XXXX when invisible or combining. */
function label(ch) {
  if (ch === ' ') return '␣';
  const code = `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{C}\p{Z}\p{M}]$/u.test(ch) ? code : ch;
}

/** The page's vocabulary: '\n' is 0, then ' ' … '~' are 1 … 95. */
function knownId(ch) {
  const c = ch.codePointAt(0);
  return ch === '\n' ? 0 : c >= 32 && c <= 126 ? c - 31 : null;
}

/** The chips of the tokens view: their text parts, and whether they follow each other in reading order. */
function readChips(page) {
  return page.evaluate(() => {
    const chips = [...document.querySelectorAll('#view-tokens .chips[aria-label="tokens"] .chip')];
    const boxes = chips.map((c) => c.getBoundingClientRect());
    const inOrder = boxes.every((b, i) => i === 0 || b.top > boxes[i - 1].top + 1 || b.left >= boxes[i - 1].right - 0.5);
    const charsDrawn = chips.every((c) => c.querySelector('.chip-char').getBoundingClientRect().width > 0);
    return {
      chips: chips.map((c) => ({ char: c.querySelector('.chip-char').textContent, id: c.querySelector('.chip-id').textContent, unknown: c.classList.contains('chip-unknown') })),
      inOrder,
      charsDrawn,
      notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent).join('\n'),
      ids: Array.from(window.playgroundDebug.input.ids),
    };
  });
}

/** The message the page gives for `text`'s unknown characters. */
function expectedMessage(chars) {
  const unknown = chars.map((ch, i) => ({ ch, i })).filter(({ ch }) => knownId(ch) === null);
  const named = unknown.slice(0, NAMED).map(({ ch, i }) => `${label(ch) === ch ? `'${ch}' (U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')})` : label(ch)} at character ${i}`);
  const more = unknown.length > NAMED ? ` and ${unknown.length - NAMED} more` : '';
  return `${unknown.length} characters are not in the vocabulary and were left out: ${named.join(', ')}${more}.`;
}

/**
 * The test for browser `name`, started by useBrowser as `env`.
 * @param {string} name
 * @param {{ url: string, browser: object }} env
 */
export function defineScriptTests(name, env) {
  test(`${name}: text in any script: unknown characters are shown as themselves, in order, named and left out; the address keeps the text`, async () => {
    const page = await openExplore(env);
    for (const { name: kind, text } of TEXTS) {
      await typeText(page, text);
      const chars = [...text];
      const r = await readChips(page);
      assert.deepEqual(r.chips.map((c) => c.char), chars.map(label), `${kind}: a chip per character, spelled as typed`);
      assert.deepEqual(r.chips.map((c) => c.unknown), chars.map((ch) => knownId(ch) === null), `${kind}: the unknown ones marked`);
      const known = chars.map(knownId).filter((id) => id !== null);
      assert.deepEqual(r.ids, known, `${kind}: the model reads the known characters`);
      assert.deepEqual(r.chips.filter((c) => !c.unknown).map((c) => Number(c.id)), known);
      assert.ok(r.inOrder, `${kind}: the chips are laid out in the order typed (no right-to-left reordering)`);
      assert.ok(r.charsDrawn, `${kind}: every chip's character takes space`);
      assert.ok(r.notices.includes(expectedMessage(chars)), `${kind}: the message names them\n${r.notices}`);
      await page.evaluate(() => document.querySelector('#tokens').scrollIntoView());
      await page.screenshot(join(ARTIFACTS, `${name}-script-${kind}.png`));
    }
    // the address carries the text (the last one) unchanged: loaded afresh, it shows the same text
    const address = await page.evaluate(() => location.href);
    await page.goto(`${env.url}tests/blank.html`);
    await page.goto(address);
    await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_MS });
    const text = await page.evaluate(() => ({ state: window.playgroundDebug.state.text, field: document.querySelector('#text').value }));
    assert.deepEqual(text, { state: TEXTS.at(-1).text, field: TEXTS.at(-1).text });
    assert.deepEqual(await pageErrors(page), []);
    await page.close();
  });
}
