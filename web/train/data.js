// What a run trains on, in the page's terms: the generated tasks (their lesson sentence opens
// with an example line), the user's own text and its limits, and from either the two fixed
// inputs the page shows while training: the prompt samples continue, and the probe whose
// attention maps are drawn.

export const MIN_TEXT_WINDOWS = 10; // the text must hold this many context windows (the engine's rule: 10 × (context + 1))
export const PROBE_MAX = 48; // tokens in the attention probe at most, so its map stays readable
const TEXT_PROMPT = 16; // characters of the user's text that start each sample

/**
 * The example a task's lesson opens with: "cafe>cafe — after the '>' …" gives "cafe>cafe".
 * @param {string} lesson
 */
export function lessonExample(lesson) {
  return lesson.split(' — ')[0].trim();
}

/**
 * The prompt a task's samples continue: the example up to its separator ('>' or '='), so the
 * model has to write the answer; for sentences, the first three words; else its first third.
 * Each starts a line, as every example in the data does.
 * @param {string} example
 */
export function taskPrompt(example) {
  const cut = Math.max(example.lastIndexOf('>'), example.lastIndexOf('='));
  if (cut > 0) return '\n' + example.slice(0, cut + 1);
  if (example.includes(' ')) return '\n' + example.split(' ').slice(0, 3).join(' ') + ' ';
  return '\n' + example.slice(0, Math.max(1, Math.ceil(example.length / 3)));
}

/**
 * The fixed inputs of a run: `prompt` (samples continue it) and `probe` (its attention maps
 * are drawn), at most `blockSize` tokens.
 * @param {{ task?: string, text?: string }} data
 * @param {{ name: string, lesson: string }[]} tasks from the engine
 * @param {number} blockSize
 */
export function runInputs(data, tasks, blockSize) {
  const last = (s, n) => [...s].slice(-Math.min(n, blockSize)).join(''); // a prompt's end is what the model continues
  const first = (s, n) => [...s].slice(0, Math.min(n, blockSize)).join('');
  if (data.task) {
    const task = tasks.find((t) => t.name === data.task);
    const example = task ? lessonExample(task.lesson) : '';
    // a sequence-to-sequence lesson opens "source → target": the source is the probe, cut to leave room for EOS
    if (example.includes(' → ')) return { prompt: '', probe: [...example.split(' → ')[0]].slice(0, blockSize - 1).join('') };
    return { prompt: last(taskPrompt(example), blockSize), probe: first('\n' + example, PROBE_MAX) };
  }
  const text = data.text ?? '';
  const start = [...text.slice(0, 4 * PROBE_MAX)];
  return { prompt: start.slice(0, Math.min(TEXT_PROMPT, blockSize)).join(''), probe: start.slice(0, Math.min(PROBE_MAX, blockSize)).join('') };
}

/** Characters (code points) a text needs for a context of `ctx` tokens. */
export function minTextChars(ctx) {
  return MIN_TEXT_WINDOWS * (ctx + 1);
}

/**
 * Distinct characters of `text` (its vocabulary) and its length in code points, as `[...text]`
 * counts them (a lone surrogate is one), in one pass with no array of characters: 5 MB of text
 * take milliseconds (train/text-stats.js counts long texts off the page's thread).
 * @param {string} text
 */
export function textStats(text) {
  const seen = new Uint8Array(0x110000 >> 3); // one bit per code point
  let length = 0;
  let vocab = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    length++;
    const bit = 1 << (c & 7);
    if (!(seen[c >> 3] & bit)) {
      seen[c >> 3] |= bit;
      vocab++;
    }
  }
  return { length, vocab };
}

let capBuffer = null; // MAX_TEXT_BYTES, allocated on the first long text

/**
 * `text` cut to its longest start of at most `maxBytes` bytes of UTF-8, at a character's end.
 * @returns {{ text: string, cut: boolean }}
 */
export function capText(text, maxBytes) {
  if (text.length * 3 <= maxBytes) return { text, cut: false }; // UTF-8 takes 3 bytes per UTF-16 unit at most
  if (capBuffer?.length !== maxBytes) capBuffer = new Uint8Array(maxBytes);
  const { read } = new TextEncoder().encodeInto(text, capBuffer);
  return read === text.length ? { text, cut: false } : { text: text.slice(0, read), cut: true };
}
