// The step-by-step widget in the example post (CPU engine): one step at a time by default, without
// the prose the post already has, so it stays a screen or so tall at 1280 and 390 px (all seven
// steps were 6,300 and 7,100 px); layout="full" shows every step again; the widget's text is in
// the post's font unless the post sets --tp-font. Screenshots in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openPage, settle } from './widget-helpers.mjs';

const POST = 'examples/attention.html';
const STEPS = 1; // the post's head-steps widget
const MAX_HEIGHT = 1600; // px, the tallest step's widget

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

/** The head-steps widget as drawn: its height, the steps shown, whether their prose shows, its font and the post's. */
function shown(page) {
  return page.evaluate((i) => {
    const w = document.querySelectorAll('transformer-playground')[i];
    const root = w.shadowRoot;
    const visible = (e) => e.getClientRects().length > 0;
    return {
      height: w.getBoundingClientRect().height,
      steps: [...root.querySelectorAll('.steps > .step')].filter(visible).map((s) => s.querySelector('h3').textContent),
      prose: [...root.querySelectorAll('.step-prose')].filter(visible).length,
      pressed: [...root.querySelectorAll('.stepper-button[aria-pressed="true"]')].filter(visible).map((b) => b.textContent)[0] ?? null,
      font: getComputedStyle(root.querySelector('.tp')).fontFamily,
      post: getComputedStyle(document.body).fontFamily,
    };
  }, STEPS);
}

test('the step-by-step widget shows one step at a time in the post’s font; every step stays under 1,600 px', async () => {
  for (const [width, colorScheme] of [[1280, 'light'], [390, 'dark'], [390, 'light'], [1280, 'dark']]) {
    const page = await openPage(env, POST, { viewport: { width, height: 900 }, colorScheme });
    await settle(page, STEPS, { scroll: true });
    const first = await shown(page);
    assert.deepEqual(first.steps, ['1. Queries, keys and values']);
    assert.deepEqual([first.prose, first.pressed], [0, '1'], 'the post explains: no prose in the widget');
    assert.equal(first.font, first.post, 'the post’s font');
    const heights = [first.height];
    for (let n = 2; n <= 7; n++) {
      await page.evaluate((i) => document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelector('[aria-label="next step"]').click(), STEPS);
      const s = await shown(page);
      assert.equal(s.steps.length, 1);
      assert.ok(s.steps[0].startsWith(`${n}. `), s.steps[0]);
      heights.push(s.height);
      if (n === 4) await page.locator('transformer-playground[view="head-steps"]').screenshot({ path: join(ARTIFACTS, `widget-head-steps-${width}-${colorScheme}.png`) });
    }
    assert.ok(Math.max(...heights) < MAX_HEIGHT, `${width} px: the steps are ${heights.map(Math.round).join(', ')} px tall`);
    console.log(`${width} px ${colorScheme}: head-steps widget ${heights.map(Math.round).join(', ')} px for steps 1–7`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('layout="full" shows all seven steps with their prose; --tp-font still wins over the post’s font', async () => {
  const page = await openPage(env, POST, { viewport: { width: 1280, height: 900 } });
  await settle(page, STEPS, { scroll: true });
  await page.evaluate((i) => {
    const w = document.querySelectorAll('transformer-playground')[i];
    w.setAttribute('layout', 'full');
    w.style.setProperty('--tp-font', 'monospace');
  }, STEPS);
  await page.waitForFunction((i) => document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelectorAll('.step-prose').length === 7 &&
    [...document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelectorAll('.steps > .step')].every((s) => s.getClientRects().length > 0), STEPS);
  const s = await shown(page);
  assert.equal(s.steps.length, 7);
  assert.equal(s.prose, 7);
  assert.equal(s.pressed, null, 'no step buttons');
  assert.equal(s.font, 'monospace');
  await page.evaluate((i) => document.querySelectorAll('transformer-playground')[i].setAttribute('layout', 'sideways'), STEPS);
  await settle(page, STEPS);
  assert.match(await page.evaluate((i) => document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelector('.tp-error').textContent, STEPS),
    /layout="sideways" is not one of compact, full/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
