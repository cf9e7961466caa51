// What the model is given for a text, and what the page says about it: characters outside the
// vocabulary are left out (and named), a text longer than the context keeps its last
// block_size tokens, and an empty text gives a message instead of a trace.

import { describeChar } from './views/format.js';
import { t } from './i18n/i18n.js';

const DROPPED_SHOWN = 16; // characters shown (greyed) before the context window in the tokens view
const UNKNOWN_NAMED = 5; // unknown characters named in the message

/**
 * @param {string} text what the user typed
 * @param {{ ids: Uint32Array, unknown: { position: number, char: string }[], groups?: { first: number, len: number, text: string, complete: boolean }[] }} encoded
 *   engine.encode(text), or engine.trace's answer, whose groups join byte-level tokens into the characters they spell
 * @param {number} blockSize the model's context length
 * @param {string[]} vocab token id → character (or, for BPE, the token's text)
 * @param {{ byToken?: boolean }} [options] byToken: a subword tokenizer (GPT-2's BPE), whose tokens
 *   are shown one item per token instead of one per character
 * @returns {{ ids: Uint32Array, labels: string[], total: number, dropped: number, unknown: object[],
 *   items: object[], hiddenBefore: number, messages: { level: 'info'|'warn', text: string }[] }}
 *   ids: the tokens the model sees (the last blockSize); items: every character for the tokens view
 *   (by token: every token, and `group`, shared by the tokens of a run that spells one character
 *   together, `{ text, len, complete }`, or null)
 */
export function prepareInput(text, encoded, blockSize, vocab, { byToken = false } = {}) {
  const chars = [...text]; // code points, as the tokenizer counts them
  const total = encoded.ids.length;
  const dropped = Math.max(0, total - blockSize);
  const ids = encoded.ids.slice(dropped);
  const unknownAt = new Set(encoded.unknown.map((u) => u.position));

  // one item per character: known ones numbered by token index k, the window starting at `dropped`
  const items = [];
  let k = 0;
  if (byToken) {
    const groupOf = tokenGroups(encoded.groups ?? []);
    encoded.ids.forEach((id, j) => {
      const inWindow = j >= dropped;
      items.push({ char: vocab[id], id, position: inWindow ? j - dropped : null, status: inWindow ? 'used' : 'dropped', group: groupOf[j] ?? null });
    });
  }
  if (!byToken) chars.forEach((char, i) => {
    if (unknownAt.has(i)) items.push({ char, id: null, position: null, status: 'unknown' });
    else {
      const inWindow = k >= dropped;
      items.push({ char, id: encoded.ids[k], position: inWindow ? k - dropped : null, status: inWindow ? 'used' : 'dropped' });
      k++;
    }
  });
  const firstUsed = items.findIndex((it) => it.status === 'used');
  const cut = Math.max(0, (firstUsed < 0 ? items.length : firstUsed) - DROPPED_SHOWN);

  const messages = [];
  if (chars.length === 0) {
    messages.push({ level: 'warn', text: t('page.input.empty') });
  } else if (total === 0) {
    messages.push({ level: 'warn', text: t('page.input.noneKnown') });
  }
  if (dropped > 0) {
    messages.push({ level: 'info', text: t('page.input.tooLong', { total, blockSize, dropped }) });
  }
  if (encoded.unknown.length > 0) {
    const named = encoded.unknown.slice(0, UNKNOWN_NAMED)
      .map((u) => t('page.input.unknownAt', { char: describeChar(u.char), position: u.position }))
      .join(t('page.input.listSeparator'));
    const more = Math.max(0, encoded.unknown.length - UNKNOWN_NAMED);
    messages.push({ level: 'warn', text: t('page.input.unknown', { n: encoded.unknown.length, named, more, known: vocab.length }) });
  }
  return {
    ids,
    labels: Array.from(ids, (id) => vocab[id]),
    total,
    dropped,
    unknown: encoded.unknown,
    items: items.slice(cut),
    hiddenBefore: cut,
    messages,
  };
}

/** Token index → its group, for the groups of more than one token (one object per group). */
function tokenGroups(groups) {
  const byToken = [];
  for (const { first, len, text, complete } of groups) {
    if (len < 2) continue;
    const group = { text, len, complete };
    for (let j = first; j < first + len; j++) byToken[j] = group;
  }
  return byToken;
}
