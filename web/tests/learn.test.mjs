// The learner's path on the page (web/learn/), in headless Chromium on the CPU engine: the
// architecture map drawn from the engine's description of each family, its links, chips and
// SVG export; the glossary (every marked term anywhere on the page, in both registers and at
// every tour stop, has a definition; hover, focus and tap show it; the panel lists them); the
// plain ↔ technical switch; the guided tour end to end at 1280 px (light) and 390 px (dark,
// touch); the heads' labels. Screenshots go to test-results/learn-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, typeText, ARTIFACTS } from './harness.mjs';
import { exploreTrained, openTrain, waitTrain, LONG } from './train-helpers.mjs';
import { GLOSSARY } from '../learn/glossary-terms.js';
import { useLanguage } from '../i18n/i18n.js';

const LOAD_TIMEOUT = 90_000; // ms: engine start and first trace on a loaded machine
const STOPS = 15;
const LABELS = ['previous token', 'first token (sink)', 'itself', 'induction', 'broad', 'mixed'];

let env;
before(async () => {
  await useLanguage('en', { setDocument: false }); // GLOSSARY's definitions are English messages
  env = await setup({ webgpu: false });
});
after(async () => { await env?.close(); });

/** A page at `url` whose views have drawn the example (and the heads' labels). */
async function open(options, hash = '') {
  const page = await env.newPage(options);
  await page.goto(`${env.url}${hash}`);
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_TIMEOUT });
  await page.waitForSelector('#view-heads .head-card', { timeout: LOAD_TIMEOUT });
  return page;
}

/** The glossary keys of every marked term on the page now. */
const markedTerms = (page) => page.evaluate(() => [...document.querySelectorAll('[data-term]')].map((t) => t.dataset.term));

/** Terms on the page that the glossary does not define. */
function undefinedTerms(keys) {
  return [...new Set(keys)].filter((k) => !Object.hasOwn(GLOSSARY, k));
}

const tourState = (page) => page.evaluate(() => {
  const card = document.querySelector('.tour-card');
  return {
    hidden: card.hidden,
    count: card.querySelector('.tour-count').textContent,
    text: card.querySelector('.tour-text').textContent,
    hash: location.hash,
    outlined: document.querySelector('.tour-target')?.id ?? null,
  };
});

test('the map is drawn from the engine’s description: the default decoder, with links, chips and SVG and PNG export', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const boxes = await page.$$eval('#view-map [data-step]', (gs) => gs.map((g) => [g.textContent, g.dataset.step]));
  const { config } = await page.evaluate(() => ({ config: window.playgroundDebug.config }));
  assert.deepEqual(boxes, [
    [`Tokens → ids (vocabulary ${config.vocab_size})`, 'tokens'],
    [`Token embedding (C = ${config.n_embd})`, 'embeddings'],
    ['LayerNorm', 'layernorm'], ['Causal self-attention', 'head'], ['add (residual)', 'residual'],
    ['LayerNorm', 'layernorm'], [`MLP: GELU, ${4 * config.n_embd} wide`, 'ffn'], ['add (residual)', 'residual'],
    ['Final LayerNorm (ln_f)', 'layernorm'], ['Output head (tied to the token embedding)', 'output'], ['Next-token probabilities', 'output'],
  ]);
  const map = await page.locator('#view-map svg').textContent();
  assert.match(map, /× 2 layers/);
  assert.match(map, /pre-norm/);
  assert.match(map, /\+ learned positions/);
  assert.match(map, /4 heads/);
  // the head chips pick the head the steps show; the current one is highlighted on the map and among the heads' labels
  await page.click('#view-map [data-head="2"]');
  await page.waitForFunction(() => window.playgroundDebug.state.head === 2 && document.querySelector('#view-map [data-head="2"]')?.getAttribute('aria-pressed') === 'true');
  await page.waitForSelector('#view-heads .head-card.is-current[data-layer="0"][data-head="2"]');
  // the chips are keyboard-reachable (tabindex 0): Enter on the focused layer chip; the map redraws after the trace
  assert.equal(await page.getAttribute('#view-map [data-layer="1"]', 'tabindex'), '0');
  await page.focus('#view-map [data-layer="1"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.playgroundDebug.state.layer === 1 && document.querySelector('#view-map [data-layer="1"]')?.getAttribute('aria-pressed') === 'true');
  // a box goes to its step
  await page.click('#view-map [data-step="ffn"]');
  await page.waitForFunction(() => window.playgroundDebug.state.view === 'ffn');
  // the SVG export: a standalone figure with its colours written in
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#map .export-button[aria-label="Save as SVG"]')]);
  assert.equal(download.suggestedFilename(), 'architecture.svg');
  const svg = readFileSync(await download.path(), 'utf8');
  assert.match(svg, /^<\?xml/);
  assert.match(svg, /Causal self-attention/);
  assert.match(svg, /fill="#ffffff"/);
  assert.doesNotMatch(svg, /var\(--/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#map .export-button[aria-label="Save as PNG"]')]);
  assert.equal(png.suggestedFilename(), 'architecture.png');
  assert.deepEqual([...readFileSync(await png.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
  await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'learn-map-1280.png') });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the map draws every family from the engine: encoder with a classifier, post-norm encoder-decoder, RMSNorm/rotary/SwiGLU decoder', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 } });
  const drawn = await page.evaluate(async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const { mapSvg } = await import('/learn/arch-map.js');
    const worker = startWorker();
    const base = { block_size: 16, n_layer: 2, n_head: 2, n_embd: 12 };
    const make = (config) => createEngine(worker, {
      config: { ...base, ...config }, seed: 1, backend: 'cpu',
      ...(config.family === 'encoder_decoder' ? { data: { task: 'reversal' } } : { vocab: 'abcdefgh' }),
    });
    const out = {};
    for (const [name, config] of Object.entries({
      encoder: { family: 'encoder', n_classes: 3 },
      encdec: { family: 'encoder_decoder', norm_position: 'post', positions: 'sinusoidal', ffn: 'relu', tie_head: false },
      llama: { norm: 'rms_norm', positions: 'rotary', ffn: 'swi_glu', n_kv_head: 1 },
    })) {
      const engine = await make(config);
      const svg = mapSvg(engine.architecture, { layer: 1, head: 0 });
      document.body.append(svg);
      out[name] = { boxes: [...svg.querySelectorAll('[data-step]')].map((g) => g.textContent), text: svg.textContent, width: svg.getAttribute('width') };
      if (name === 'encdec') svg.id = 'encdec-map'; // kept for its screenshot
      else svg.remove();
    }
    return out;
  });
  assert.ok(drawn.encoder.boxes.includes('Self-attention (both sides)'));
  assert.ok(drawn.encoder.boxes.includes('[CLS] classifier: 3 classes'));
  assert.equal(drawn.encdec.width, '600', 'two columns: the encoder and the decoder');
  assert.match(drawn.encdec.text, /Encoder.*Decoder/);
  assert.ok(drawn.encdec.boxes.includes('Cross-attention to the encoder'));
  assert.ok(drawn.encdec.boxes.includes('Final LayerNorm (ln_e: the memory)'));
  assert.ok(drawn.encdec.boxes.includes('Output head (its own weights)'));
  assert.match(drawn.encdec.text, /post-norm/);
  assert.match(drawn.encdec.text, /memory/);
  assert.ok(drawn.encdec.boxes.includes('MLP: ReLU, 48 wide'));
  // post-norm: the norm comes after the add, pre-norm before the op
  const i = drawn.encdec.boxes.indexOf('Self-attention (both sides)');
  assert.deepEqual(drawn.encdec.boxes.slice(i, i + 3), ['Self-attention (both sides)', 'add (residual)', 'LayerNorm']);
  await page.locator('#encdec-map').screenshot({ path: join(ARTIFACTS, 'learn-map-encdec.png') });
  assert.ok(drawn.llama.boxes.includes('RMSNorm'));
  assert.match(drawn.llama.text, /positions: rotary, inside attention/);
  assert.match(drawn.llama.text, /2 heads, 1 key\/value heads/);
  assert.ok(drawn.llama.boxes.includes('MLP: SwiGLU, 32 wide'), drawn.llama.boxes.join(' | '));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('glossary: every marked term has a definition; hover, focus and tap show it; the panel lists them all', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 } });
  const seen = await markedTerms(page);
  await page.click('#words-switch'); // plain words: each step in words, equations hidden
  assert.equal(await page.evaluate(() => document.documentElement.dataset.words), 'plain');
  assert.equal(await page.isVisible('#view-attention .formula'), false);
  seen.push(...(await markedTerms(page)));
  await page.click('#tour-start');
  for (let i = 1; i <= STOPS; i++) {
    seen.push(...(await markedTerms(page)));
    if (i < STOPS) await page.click('.tour-card [data-tour="next"]');
  }
  await page.keyboard.press('Escape');
  assert.ok(new Set(seen).size >= 25, `${new Set(seen).size} distinct terms marked`);
  assert.deepEqual(undefinedTerms(seen), [], 'marked terms without a definition');
  // hover, then a click keeps it
  const term = page.locator('#tokens .step-words .term').first();
  await term.hover();
  await term.click();
  const tip = await page.evaluate(() => ({ hidden: document.querySelector('#term-tip').hidden, text: document.querySelector('#term-tip').textContent }));
  assert.equal(tip.hidden, false);
  assert.ok(tip.text.includes(GLOSSARY[await term.getAttribute('data-term')].text));
  // focus from the keyboard
  await page.mouse.move(0, 0);
  await page.locator('#ffn .step-words .term').first().focus();
  assert.match(await page.textContent('#term-tip'), /MLP/);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.querySelector('#term-tip').hidden), true);
  // the panel
  await page.click('#glossary-open');
  const entries = await page.$$eval('#glossary-panel dt', (dts) => dts.length);
  assert.equal(entries, Object.keys(GLOSSARY).length);
  await page.screenshot({ path: join(ARTIFACTS, 'learn-glossary-1280.png') });
  await page.click('#glossary-panel .panel-close');
  await page.click('#words-switch'); // back to technical for the next page in this browser profile
  assert.equal(await page.isVisible('#view-attention .formula'), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the tour at 1280 px, light: 15 stops with this text’s numbers, keys and buttons, the stop in the address, Esc leaves', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await page.click('#tour-start');
  let s = await tourState(page);
  assert.equal(s.count, 'Stop 1 of 15');
  assert.match(s.hash, /&tour=1$/);
  const { T, text } = await page.evaluate(() => ({ T: window.playgroundDebug.input.ids.length, text: window.playgroundDebug.state.text }));
  assert.ok(s.text.includes(`(${T} tokens)`), s.text);
  const targets = [];
  for (let i = 2; i <= STOPS; i++) {
    await page.keyboard.press('ArrowRight');
    s = await tourState(page);
    assert.equal(s.count, `Stop ${i} of 15`);
    assert.match(s.hash, new RegExp(`&tour=${i}$`));
    targets.push(s.outlined);
    if (i === 3) assert.match(s.text, new RegExp(`Your text became ${T} tokens. The first, “${text[0]}”`));
    if (i === 11) await page.screenshot({ path: join(ARTIFACTS, 'learn-tour-1280-light.png') });
  }
  assert.deepEqual(targets, ['map', 'tokens', 'embeddings', 'layernorm', 'head', 'attention', 'heads', 'ffn', 'residual', 'output', 'sampling', 'lens', 'ablation', 'rnn']);
  // the text follows the reader's text
  await page.click('.tour-card [data-tour="back"]');
  await page.click('.tour-card [data-tour="back"]');
  await page.click('.tour-card [data-tour="back"]');
  await page.click('.tour-card [data-tour="back"]');
  await page.click('.tour-card [data-tour="back"]');
  assert.equal((await tourState(page)).count, 'Stop 10 of 15');
  await typeText(page, 'abcabcabc');
  await page.waitForFunction(() => document.querySelector('.tour-text').textContent.includes('after the embedding'));
  await page.click('.tour-card [data-tour="next"]');
  assert.match((await tourState(page)).text, /After your text, the model’s top guesses are “.+” \d+%/);
  await page.keyboard.press('ArrowLeft'); // the keys work again once the focus left the text box
  assert.equal((await tourState(page)).count, 'Stop 10 of 15');
  await page.keyboard.press('Escape');
  s = await tourState(page);
  assert.equal(s.hidden, true);
  assert.doesNotMatch(s.hash, /tour/);
  assert.equal(s.outlined, null);
  // the tour belongs to Explore: going to the Train page ends it
  await page.click('#tour-start');
  await page.click('#nav-train');
  await page.waitForFunction(() => window.playgroundDebug.page === 'train');
  assert.equal(await page.evaluate(() => document.querySelector('.tour-card').hidden), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the tour at 390 px, dark, touch: resumes from #tour=5, fits the screen, taps and swipes, skippable', async () => {
  const page = await open({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', hasTouch: true, isMobile: true, deviceScaleFactor: 2 }, '#tour=5');
  await page.waitForFunction(() => !document.querySelector('.tour-card').hidden);
  let s = await tourState(page);
  assert.equal(s.count, 'Stop 5 of 15');
  assert.equal(s.outlined, 'layernorm');
  const box = await page.locator('.tour-card').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, JSON.stringify(box));
  for (const b of await page.locator('.tour-nav button').all()) assert.ok((await b.boundingBox()).height >= 40, 'buttons big enough to tap');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide`);
  await page.waitForTimeout(600); // the smooth scroll settles
  await page.screenshot({ path: join(ARTIFACTS, 'learn-tour-390-dark.png') });
  await page.tap('.tour-card [data-tour="next"]');
  assert.equal((await tourState(page)).count, 'Stop 6 of 15');
  // a swipe to the left on the card: the next stop; to the right: back
  const swipe = (dx) => page.evaluate((dx) => {
    const card = document.querySelector('.tour-card');
    const at = (x) => ({ pointerType: 'touch', clientX: x, clientY: 700, bubbles: true });
    card.dispatchEvent(new PointerEvent('pointerdown', at(200)));
    card.dispatchEvent(new PointerEvent('pointerup', at(200 + dx)));
  }, dx);
  await swipe(-120);
  assert.equal((await tourState(page)).count, 'Stop 7 of 15');
  await swipe(120);
  assert.equal((await tourState(page)).count, 'Stop 6 of 15');
  await swipe(10); // a tap, not a swipe
  assert.equal((await tourState(page)).count, 'Stop 6 of 15');
  // a tap on a marked term shows its definition, inside the screen; a tap elsewhere hides it
  await page.tap('.tour-card .term[data-term="attention"]');
  const tip = await page.evaluate(() => ({ hidden: document.querySelector('#term-tip').hidden, text: document.querySelector('#term-tip').textContent, box: document.querySelector('#term-tip').getBoundingClientRect().toJSON() }));
  assert.equal(tip.hidden, false);
  assert.ok(tip.text.includes(GLOSSARY.attention.text));
  assert.ok(tip.box.left >= 0 && tip.box.right <= 390 && tip.box.top >= 0, JSON.stringify(tip.box));
  await page.screenshot({ path: join(ARTIFACTS, 'learn-tip-390-dark.png') });
  await page.tap('#term-tip'); // tapping the tip (or anywhere else) closes it
  assert.equal(await page.evaluate(() => document.querySelector('#term-tip').hidden), true);
  await page.locator('#map').scrollIntoViewIfNeeded();
  await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'learn-map-390-dark.png') });
  await page.tap('.tour-card [data-tour="skip"]');
  s = await tourState(page);
  assert.equal(s.hidden, true);
  assert.doesNotMatch(s.hash, /tour/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the tour in the other themes: 1280 px dark and 390 px light, resumed from the address', async () => {
  for (const [width, height, colorScheme] of [[1280, 900, 'dark'], [390, 844, 'light']]) {
    const page = await open({ viewport: { width, height }, colorScheme, hasTouch: width < 600 }, '#tour=8');
    await page.waitForFunction(() => !document.querySelector('.tour-card').hidden);
    const s = await tourState(page);
    assert.equal(s.count, 'Stop 8 of 15');
    assert.equal(s.outlined, 'heads');
    assert.match(s.text, /Layer \d head \d looks most at the previous token \(\d+(\.\d)?% of its attention\)/);
    const box = await page.locator('.tour-card').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width && box.y + box.height <= height, JSON.stringify(box));
    await page.waitForTimeout(600); // the smooth scroll settles
    await page.screenshot({ path: join(ARTIFACTS, `learn-tour-${width}-${colorScheme}.png`) });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

/** px from the sticky steps bar's bottom edge down to the top of `selector` (negative: hidden under the bar). */
const belowBar = (page, selector) => page.evaluate((s) => document.querySelector(s).getBoundingClientRect().top - document.querySelector('.toolbar').getBoundingClientRect().bottom, selector);

test('a jump lands below the sticky steps bar at its drawn height (two rows, about 90 px): the address, steps bar, a map box and the tour, at 1280 and 390 px', async () => {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    // reduced motion: the jumps are instant, so each position is read where the jump ends
    const page = await open({ viewport: { width, height }, reducedMotion: 'reduce' }, '#view=residual');
    const bar = await page.evaluate(() => document.querySelector('.toolbar').getBoundingClientRect().height);
    const jumps = [
      ['the address (#view=residual)', '#h-residual', async () => {}],
      ['the steps bar', '#h-ffn', () => page.click('#steps-bar [data-goto="ffn"]')],
      ['the map’s attention box', '#h-head', async () => {
        await page.locator('#map').scrollIntoViewIfNeeded();
        await page.click('#view-map [data-step="head"]');
      }],
      ['the tour’s stop 8', '#h-heads', async () => {
        await page.click('#tour-start');
        for (let stop = 2; stop <= 8; stop++) await page.click('.tour-card [data-tour="next"]');
      }],
    ];
    for (const [how, heading, jump] of jumps) {
      await jump();
      const gap = await belowBar(page, heading);
      // below the bar, and near it: the section's own top padding and a few px of air
      assert.ok(gap >= 0 && gap < 40, `${width} px, ${how}: ${heading} is ${gap.toFixed(1)} px below the ${bar.toFixed(0)} px bar`);
    }
    if (width === 390) await page.screenshot({ path: join(ARTIFACTS, 'learn-jump-390.png') });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('what heads do: every head labelled with its score, from the reader’s text and the shown probe', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 } });
  const heads = await page.$$eval('#view-heads .head-card', (cards) => cards.map((c) => ({
    label: c.querySelector('.head-label').textContent, score: c.querySelector('.head-score').textContent, detail: c.querySelector('.head-detail').textContent,
  })));
  assert.equal(heads.length, 8, '2 layers × 4 heads');
  for (const h of heads) {
    assert.ok(LABELS.includes(h.label), h.label);
    assert.match(h.score, /^[01]\.\d\d (prev|first|self|ind|broad)$/);
    assert.match(h.detail, /^prev [01]\.\d\d · first [01]\.\d\d · self [01]\.\d\d · ind [01]\.\d\d · broad [01]\.\d\d$/);
  }
  const probe = await page.textContent('#view-heads .probe-line');
  const [, n, seq] = probe.match(/^Probe: (\d+) random tokens, then the same \d+ again: (.+)$/);
  assert.equal([...seq].length, 2 * Number(n));
  assert.equal(seq.slice(0, seq.length / 2), seq.slice(seq.length / 2));
  await page.locator('#heads').screenshot({ path: join(ARTIFACTS, 'learn-heads-1280.png') });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('embedding space, positions matter and why not an RNN: every token projected with its neighbours; shuffling without positions; table 1 for this T and C', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 } });
  await page.locator('#space').scrollIntoViewIfNeeded(); // traced only once near the screen
  await page.waitForSelector('#view-space .space-svg', { timeout: LOAD_TIMEOUT });
  const { V, C, T } = await page.evaluate(() => ({ V: window.playgroundDebug.config.vocab_size, C: window.playgroundDebug.config.n_embd, T: window.playgroundDebug.input.ids.length }));
  assert.equal(await page.locator('#view-space .space-token').count(), V);
  await page.selectOption('#space-token', { label: 'e' });
  const near = await page.textContent('#view-space .space-neighbours');
  assert.match(near, /^Nearest to e \(cosine similarity\): (\S+ −?[01]\.\d\d, ){4}\S+ −?[01]\.\d\d$/);
  assert.equal(await page.locator('#view-space .space-token.is-near').count(), 5);
  assert.match(await page.textContent('#view-space .hint'), /the two axes hold \d+% and \d+% of their spread/);
  await page.locator('#space').screenshot({ path: join(ARTIFACTS, 'learn-space-1280.png') });
  const rows = await page.$$eval('#view-rnn tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const si = (x) => (x >= 1e6 ? `${Number((x / 1e6).toPrecision(3))} M` : `${Number((x / 1e3).toPrecision(3))} k`);
  assert.deepEqual(rows.slice(1), [
    ['self-attention', `4·T²·C = ${si(4 * T * T * C)}`, '1', '1'],
    ['recurrent layer', `4·T·C² = ${si(4 * T * C * C)}`, String(T), String(T - 1)],
  ]);
  // positions matter: the engine runs the model with wpe zeroed; the last token's logits do not move when its past is shuffled
  await page.click('#positions-run');
  await page.waitForSelector('#view-positions [data-without]', { timeout: LOAD_TIMEOUT });
  const cell = (key, which) => page.evaluate(([k, w]) => Number(document.querySelector(`#view-positions [data-key="${k}"] [data-${w}]`).textContent), [key, which]);
  assert.ok((await cell('block0.residual', 'with')) > 0.01, 'with positions, the last token leaves layer 0 changed');
  const bag = await cell('block0.residual', 'without');
  assert.ok(bag < 1e-4, `without positions, it leaves layer 0 with the same vector (${bag}: float rounding at most)`);
  assert.ok((await cell('logits', 'without')) > 1e-3, 'deeper layers see the order through the causal mask');
  assert.match(await page.textContent('#view-positions'), /Shuffled: .+exactly the same vector whatever the order/);
  await page.locator('#positions').screenshot({ path: join(ARTIFACTS, 'learn-positions-1280.png') });
  await page.locator('#rnn').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.playgroundDebug.inspected); // the cost view above has drawn: the layout holds still
  await page.locator('#rnn').screenshot({ path: join(ARTIFACTS, 'learn-rnn-1280.png') });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the map follows the model Explore shows: a model from the Train page (1 layer, RMSNorm, post-norm, SwiGLU) replaces the default’s', async () => {
  const page = await open({ viewport: { width: 1280, height: 900 } });
  const before = await page.$$eval('#view-map [data-step]', (gs) => gs.map((g) => g.textContent));
  assert.ok(before.includes('LayerNorm'));
  await openTrain(page, env.url, 'page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=4&lr=0.01&steps=3&seed=1&engine=cpu&norm=rms_norm&normpos=post&ffn=swi_glu');
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  // the Train page's embedding map: every token of the run's vocabulary, projected at the last evaluation
  await page.waitForFunction(() => document.querySelectorAll('#tr-space .space-token').length === window.playgroundDebug.train.engine.vocab.length, null, { timeout: LONG });
  await page.locator('#tr-space').screenshot({ path: join(ARTIFACTS, 'learn-train-space-1280.png') });
  await exploreTrained(page); // the map drawn for the new model, and every section away from sight (the heads below) after it
  assert.match(await page.textContent('#view-map svg'), /× 1 layers/);
  const after = await page.$$eval('#view-map [data-step]', (gs) => gs.map((g) => g.textContent));
  assert.ok(after.includes('RMSNorm') && !after.includes('LayerNorm'), after.join(' | '));
  assert.ok(after.includes('MLP: SwiGLU, 48 wide'), after.join(' | ')); // 8·16/3 rounded up to a multiple of 8
  assert.match(await page.textContent('#view-map svg'), /post-norm/);
  assert.equal(await page.locator('#view-map [data-layer]').count(), 1);
  assert.equal(await page.locator('#view-heads .head-card').count(), 2, 'the heads relabelled for the new model');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
