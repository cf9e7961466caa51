// The BPE panel under Tokens: a byte-level BPE trained on the text in the engine worker, one
// merge at a time (Play: one every STEP_MS), drawn by views/bpe.js (loaded when first opened).

import { errorText } from '../notices.js';
import { t } from '../i18n/i18n.js';

const STEP_MS = 120; // between merges while playing

/** GPT-2's spelling of byte `b` (bytes_to_unicode): printable Latin-1 stays, the rest map to U+0100 upwards. */
function byteToken(b) {
  const printable = (x) => (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255);
  if (printable(b)) return String.fromCharCode(b);
  let n = 0;
  for (let x = 0; x < b; x++) if (!printable(x)) n++;
  return String.fromCharCode(256 + n);
}

/** @param {{ worker: { call: Function }, text: () => string }} o text: what the text box holds */
export function wireBpePanel({ worker, text }) {
  const details = document.getElementById('bpe');
  let opened = false;
  details.addEventListener('toggle', () => {
    if (!details.open || opened) return;
    opened = true;
    import('../views/bpe.js').then(({ createBpeView }) => createBpePanel(createBpeView, { worker, text }));
  });
}

function createBpePanel(createBpeView, { worker, text }) {
  // what the view shows: merges so far, the text's ids, id → spelling, the vocabulary size asked for
  let run = { handle: null, merges: [], ids: [], tokens: [], bytes: 0, vocabSize: 0, done: false, playing: false };
  const report = (err) => view.message(t('page.bpe.failed', { detail: errorText(err) }));
  const view = createBpeView(document.getElementById('view-bpe'), {
    onStart: (vocabSize) => begin(vocabSize).catch(report),
    onStep: () => mergeOnce().catch(report),
    onPlay: () => {
      run = { ...run, playing: !run.playing };
      view.update(run);
      if (run.playing) loop().catch(report);
    },
  });

  async function begin(vocabSize) {
    const old = run.handle;
    run = { ...run, handle: null, playing: false }; // a loop in progress stops
    if (old !== null) await worker.call('bpeDispose', old);
    const source = text();
    const res = await worker.call('bpeStart', source, vocabSize);
    run = { handle: res.handle, merges: [], ids: res.ids, tokens: Array.from({ length: 256 }, (_, b) => byteToken(b)),
      bytes: new TextEncoder().encode(source).length, vocabSize, done: false, playing: false };
    view.update(run);
  }

  async function mergeOnce() {
    const res = await worker.call('bpeStep', run.handle, 1);
    const tokens = [...run.tokens];
    for (const m of res.merges) tokens[m.new_id] = m.token;
    const done = res.merges.length === 0;
    run = { ...run, merges: [...run.merges, ...res.merges], ids: res.ids, tokens, done, playing: run.playing && !done };
    view.update(run);
  }

  async function loop() {
    while (run.playing && !run.done) {
      await mergeOnce();
      await new Promise((r) => setTimeout(r, STEP_MS));
    }
  }
}
