// Explore as a first-time user meets it, on the CPU engine (WebGPU switched off): at 1280×900 the
// tokens and an attention map show beside the text box, above the fold; on a phone the steps
// bar and Share stay on screen all the way down, and a table wider than the column says that it
// scrolls; the output view names what each sampling rule leaves out and does not count a
// probability that rounds to 0 as one; the keyboard reaches Generate through the skip link and the
// steps bar in a few Tabs. Screenshots at 1280 and 390 px, light and dark, in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, waitForViews, ARTIFACTS } from './harness.mjs';

const TIMEOUT = 120_000;
let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

async function openExplore(options, hash = '') {
  const page = await env.newPage(options);
  await page.goto(`${env.url}${hash}`);
  await waitForViews(page, { timeout: TIMEOUT });
  return page;
}

/** A box of the page: its top, bottom, left and right in px from the viewport's corner. */
const box = (page, selector) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
}, selector);

test('1280×900: the tokens and an attention map are beside the text box, above the fold', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const page = await openExplore({ viewport: { width: 1280, height: 900 }, colorScheme });
    const chip = await box(page, '#glance .chip');
    const map = await box(page, '#glance canvas');
    const side = await box(page, '.intro-side');
    const text = await box(page, '#text');
    assert.ok(chip.bottom <= 900 && map.bottom <= 900, `tokens end at ${chip.bottom} px, the map at ${map.bottom} px`);
    assert.ok(map.top > text.bottom && map.right < side.left, 'under the text box, beside the model card');
    // the card's "Open another model" is folded, so the card leaves no tall hole under the text column
    const column = await box(page, '.intro-main');
    assert.ok(side.bottom <= column.bottom + 160, `the model card ends at ${side.bottom} px, the text column at ${column.bottom} px`);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#glance .chip').length), await page.evaluate(() => window.playgroundDebug.input.ids.length));
    const painted = await page.evaluate(() => {
      const c = document.querySelector('#glance canvas');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return px.some((v, i) => i % 4 === 3 && v > 0);
    });
    assert.ok(painted, 'the map is drawn');
    await page.screenshot({ path: join(ARTIFACTS, `first-use-explore-1280-${colorScheme}.png`) });
    // its buttons lead to the steps
    await page.click('#glance [data-jump="attention"]');
    await page.waitForFunction(() => /view=attention/.test(location.hash));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('390 px: the steps bar and Share stay on screen to the end of the page; wide tables say they scroll', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const page = await openExplore({ viewport: { width: 390, height: 844 }, colorScheme });
    await page.evaluate(() => window.playgroundDebug.inspected); // the logit lens, ablation and cost tables
    for (const y of [3000, 10_000, 100_000]) {
      await page.evaluate((y) => window.scrollTo(0, y), y);
      for (const s of ['#steps-bar', '#share', '#pick-head']) {
        const b = await box(page, s);
        assert.ok(b.top >= 0 && b.bottom <= 844, `${s} at ${b.top}…${b.bottom} px after scrolling to ${y}`);
      }
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scrolling of the page');
    const glance = await page.evaluate(() => {
      const c = document.querySelector('#glance .glance-chips');
      return { hidden: c.scrollHeight - c.clientHeight, overflow: getComputedStyle(c).overflowY };
    });
    assert.ok(glance.hidden > 0 && glance.overflow === 'auto', `the glance's tokens that do not fit scroll into view: ${JSON.stringify(glance)}`);
    const tables = await page.evaluate(() => [...document.querySelectorAll('.scroll-wrap')].map((w) => {
      const scroller = w.querySelector('.table-scroll');
      return { wide: scroller.scrollWidth > scroller.clientWidth, overflow: w.dataset.overflow, hint: w.querySelector('.scroll-hint').getBoundingClientRect().height > 0 };
    }));
    assert.ok(tables.filter((t) => t.wide).length >= 2, JSON.stringify(tables)); // the logit lens and cost tables
    for (const t of tables) assert.deepEqual([t.overflow === 'none', t.hint], [!t.wide, t.wide], JSON.stringify(t));
    // scrolled to its end, the fade moves to the other side
    const end = await page.evaluate(async () => {
      const w = document.querySelector('#view-cost .scroll-wrap');
      const s = w.querySelector('.table-scroll');
      s.scrollLeft = s.scrollWidth;
      await new Promise((r) => setTimeout(r, 100));
      return w.dataset.overflow;
    });
    assert.equal(end, 'left');
    await page.locator('#view-cost .scroll-wrap').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, `first-use-explore-390-${colorScheme}.png`) });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('τ = 0.1 with top-k and top-p off: every token can be drawn, the ones that round to 0 said apart', async () => {
  // after "the" the logits span about 20, so at τ = 0.1 the least likely tokens' probabilities (e^-200 and less) are 0 in float32
  const page = await openExplore({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' }, '#temp=0.1&text=the');
  const line = () => page.evaluate(() => [...document.querySelectorAll('#view-output .formula code')].at(-1).textContent);
  const zeros = await page.evaluate(() => window.playgroundDebug.sampling.probs.filter((p) => p === 0).length);
  assert.ok(zeros > 0, 'some probabilities are 0');
  assert.equal(await line(), `top-k = off, top-p = off: all 96 tokens can be drawn (${zeros} of them so unlikely at τ = 0.1 that their probability rounds to 0 in float32)`);
  await page.fill('#topk', '5');
  await page.waitForFunction(() => /top-k = 5 leaves out 91/.test([...document.querySelectorAll('#view-output .formula code')].at(-1).textContent));
  await page.fill('#topp', '0.5');
  await page.waitForFunction(() => /top-p = 0\.5 leaves out \d more: \d of 96 tokens can be drawn$/.test([...document.querySelectorAll('#view-output .formula code')].at(-1).textContent));
  await page.locator('#h-output').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-output-1280.png') });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the keyboard: a skip link first, the steps bar moves the focus into a step, Generate in a few Tabs', async () => {
  const page = await openExplore({ viewport: { width: 1280, height: 900 } });
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent.trim());
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'skip-explore');
  assert.ok((await box(page, '#skip-explore')).top >= 0, 'visible once focused');
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-skip-link-1280.png') });
  await page.keyboard.press('Enter');
  let tabs = 1;
  while ((await focused()) !== '8 Output' && tabs < 40) {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'h-output');
  while ((await focused()) !== 'generate' && tabs < 60) {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  assert.equal(await focused(), 'generate');
  assert.ok(tabs <= 16, `${tabs} Tabs to Generate`);
  assert.equal(await page.evaluate(() => location.hash.includes('view=output') && !location.hash.includes('steps-bar')), true, 'the address keeps Explore’s state');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
