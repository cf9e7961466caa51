// Explore's words follow the loaded model (headless Chromium, CPU engine): on the stand-in hub's
// Llama (RMSNorm, no biases, tied head, subword tokens) and Qwen2 (biases on queries, keys and
// values only, untied head) checkpoints, the output, lens, head, FFN and ablation texts name the
// model's norm, output matrix and biases and predict the next token; the toy GPT keeps its own
// words (LayerNorm, W_te, + b, next character).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, waitForViews } from './harness.mjs';
import { MODELS, startFixtureHub, routeHub } from './hub-fixtures.mjs';

const TIMEOUT = 180_000;
const VIEWS = ['output', 'lens', 'head', 'ffn', 'ablation'];

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

/**
 * Explore on hub model `name` (the toy GPT without one): each view's text once every view has
 * drawn, and its formulas apart; `steps`: the technical words of each step, once they name the
 * model's final norm `normF`. Screenshots of the output, head and FFN views go to /tmp/arch-words.
 */
async function wordsOf(name, normF) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  await routeHub(page, hub); // the page asks huggingface.co, as it would in use
  await page.goto(env.url + (name ? '#model=' + name : ''));
  // the model's own trace, and every section showing it (those away from sight are drawn later)
  await waitForViews(page, { tokenizer: name ? 'hub' : 'char', timeout: TIMEOUT });
  await page.waitForFunction((f) => document.querySelector('#sampling + .step-words')?.textContent.includes(`${f}(x)`), normF, { timeout: TIMEOUT });
  await page.evaluate(() => window.playgroundDebug.inspected); // then the lens and ablation draw the model's, when asked
  const steps = await page.evaluate(() => Object.fromEntries(['ffn', 'lens'].map((v) => [v, document.querySelector(`#${v} .step-words`).textContent]).concat([['output', document.querySelector('#sampling + .step-words').textContent]])));
  const shown = await page.evaluate((views) => Object.fromEntries(views.map((v) => {
    const root = document.querySelector(`#view-${v}`);
    return [v, { text: root.textContent, formulas: [...root.querySelectorAll('.formula code')].map((c) => c.textContent) }];
  })), VIEWS);
  if (process.env.SHOTS) {
    for (const v of ['output', 'head', 'ffn']) {
      await page.locator(`#view-${v}`).scrollIntoViewIfNeeded();
      await page.locator(`#view-${v}`).screenshot({ path: `/tmp/arch-words/${name ?? 'toy'}-${v}.png` });
    }
  }
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
  await page.context().close();
  return { ...shown, steps };
}

test('the Llama checkpoint is described as RMSNorm, bias-free, tied, predicting tokens', { timeout: TIMEOUT }, async () => {
  const w = await wordsOf('llama_bf16', 'RMSNorm_f');
  assert.match(w.steps.output, /^Logits = RMSNorm_f\(x\)·W_teᵀ, \(T, V\)/);
  assert.match(w.steps.lens, /RMSNorm_f\(x_l\)·W_teᵀ after each layer l/);
  assert.match(w.steps.ffn, /down\(SiLU\(gate\(x\)\) ⊙ up\(x\)\), C → F → C/);
  assert.match(w.output.text, /goes through a final RMSNorm and is multiplied by the token table W_te once more/);
  assert.match(w.output.text, /probabilities for the next token\./);
  assert.match(w.output.formulas[0], /^z = RMSNorm_f\(x_last\)·W_teᵀ/);
  assert.match(w.lens.text, /the final RMSNorm and the output head\. Early blocks often guess common tokens;/);
  assert.match(w.head.text, /learns to predict the next token,/);
  assert.match(w.ablation.text, /mean −ln p of each next token\): \d+\.\d+\./);
  for (const v of VIEWS) assert.doesNotMatch(w[v].text, /LayerNorm|LN_f|next character/, `${v} names the toy GPT's norm or unit`);
  for (const v of ['head', 'ffn']) {
    assert.ok(w[v].formulas.length >= 3, `${v} shows its formulas`);
    for (const f of w[v].formulas) assert.doesNotMatch(f, /\+ b/, `${v}: ${f}`);
    assert.doesNotMatch(w[v].text, /\+ b/, `${v}'s titles and notes`);
  }
  assert.match(w.ffn.formulas.join('\n'), /G = RMSNorm₂\(x\)·W₁   :/);
  // C = 64, H = 176, keys and values 2 heads × 16 wide, no biases: 3·64·176 and 2·64² + 2·64·32
  assert.match(w.ffn.text, /It holds 33,792 of the layer's weights, about 2\.8 times the 12,288 of attention\./);
});

test('the Qwen2 checkpoint: biases on Q, K and V only, and its own output matrix', { timeout: TIMEOUT }, async () => {
  const w = await wordsOf('qwen2_f16', 'RMSNorm_f');
  assert.match(w.steps.output, /^Logits = RMSNorm_f\(x\)·W_headᵀ/);
  assert.match(w.output.text, /a final RMSNorm and is multiplied by its own output matrix W_head \(lm_head; this model does not reuse the token table W_te\)/);
  assert.match(w.output.formulas[0], /^z = RMSNorm_f\(x_last\)·W_headᵀ/);
  const head = w.head.formulas.join('\n');
  for (const b of ['Q = X·W_Q + b_Q', 'K = X·W_K + b_K', 'V = X·W_V + b_V', 'W_Q[c, d] + b_Q[d]']) assert.ok(head.includes(b), b);
  for (const f of w.ffn.formulas) assert.doesNotMatch(f, /\+ b/, f);
  // H = 160; queries, keys and values biased: 2·64² + 2·64·32 + 64 + 2·32
  assert.match(w.ffn.text, /It holds 30,720 of the layer's weights, about 2\.5 times the 12,416 of attention\./);
});

test('the toy GPT keeps its words: LayerNorm, W_te, biases, next character', { timeout: TIMEOUT }, async () => {
  const w = await wordsOf(null, 'LN_f');
  assert.match(w.steps.output, /^Logits = LN_f\(x\)·W_teᵀ/);
  assert.match(w.steps.ffn, /proj\(act\(fc\(x\)\)\), C → 4C → C/);
  assert.match(w.output.text, /goes through a final LayerNorm and is multiplied by the token table W_te once more \(this model reuses it as its output layer\).*probabilities for the next character\./);
  assert.match(w.output.formulas[0], /^z = LN_f\(x_last\)·W_teᵀ/);
  assert.match(w.lens.text, /the final LayerNorm and the output head\. Early blocks often guess common characters;/);
  assert.match(w.head.text, /learns to predict the next character,/);
  assert.match(w.ablation.text, /mean −ln p of each next character\)/);
  assert.ok(w.head.formulas.some((f) => f.startsWith('K = X·W_K + b_K   and   V = X·W_V + b_V')));
  assert.match(w.ffn.formulas.join('\n'), /H = LN₂\(x\)·W₁ \+ b₁   :[^]*·W₂ \+ b₂   :/);
  // C = 64, 4C = 256, biases everywhere: 2·64·256 + 256 + 64 and 4·64² + 4·64
  assert.match(w.ffn.text, /It holds 33,088 of the layer's weights, about 2 times the 16,640 of attention\./);
});
