// The page in every language (headless Chromium, CPU engine): Explore, the Train page after a
// few steps and an embedded widget in Spanish, Chinese and the right-to-left pseudo-locale, at
// a desktop and a phone width. In the pseudo-locale every visible text, option and aria-label /
// title / placeholder comes from a catalog (its letters are accented) unless it is data
// (translate="no", code); the layout mirrors and nothing overlaps or overflows. Everywhere: the
// right <html lang> and dir, no console errors (a missing key logs one). Screenshots go to
// test-results/i18n/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, waitTrain, LONG } from './train-helpers.mjs';
import { settle } from './widget-helpers.mjs';
import { unaccentedText, layoutProblems } from './i18n-checks.mjs';

const SHOTS = join(ARTIFACTS, 'i18n');
mkdirSync(SHOTS, { recursive: true });
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
const catalog = (code, area) => JSON.parse(readFileSync(new URL(`../locales/${code}/${area}.json`, import.meta.url), 'utf8'));

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

async function openExplore(lang, viewport) {
  const page = await env.newPage({ viewport });
  await page.goto(`${env.url}?lang=${lang}#text=${encodeURIComponent('the cats see a dog .')}`);
  await page.waitForFunction(() => window.playgroundDebug?.trace, null, { timeout: LONG });
  await page.evaluate(() => window.playgroundDebug.inspected);
  return page;
}

async function shoot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

for (const lang of ['es', 'zh', 'ar-XB']) {
  test(`Explore in ${lang}: its language, direction and words`, async () => {
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      const page = await openExplore(lang, viewport);
      const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, picker: document.querySelector('#lang-picker').value }));
      assert.deepEqual(html, { lang, dir: lang === 'ar-XB' ? 'rtl' : 'ltr', picker: lang === 'ar-XB' ? 'en' : lang });
      if (lang !== 'ar-XB') {
        const label = await page.textContent('.lang-pick');
        assert.ok(label.includes(catalog(lang, 'common')['common.language']), label);
      } else {
        assert.deepEqual(await unaccentedText(page), [], `${width}: text outside the catalogs`);
        const mirrored = await page.evaluate(() => {
          const brand = document.querySelector('.brand').getBoundingClientRect();
          const nav = document.querySelector('.modes').getBoundingClientRect();
          return brand.right >= nav.right - 1 && brand.right > innerWidth / 2;
        });
        assert.ok(mirrored, 'the header mirrors: the name at the right, the modes after it (to its left, or below on a phone)');
        // what opens on demand: the glossary, the share dialog, the guided tour's first stop, plain words
        for (const button of ['#glossary-open', '#share', '#tour-start', '#words-switch']) {
          await page.click(button);
          await page.waitForTimeout(300);
          assert.deepEqual(await unaccentedText(page), [], `${width}: text outside the catalogs after ${button}`);
          await page.keyboard.press('Escape');
        }
      }
      assert.deepEqual(await layoutProblems(page), [], `${lang} ${width}: layout`);
      await shoot(page, `explore-${lang}-${width}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });

  test(`the Train page in ${lang}, after a few steps`, async () => {
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      const page = await env.newPage({ viewport });
      await openTrain(page, `${env.url}?lang=${lang}`, 'page=train&preset=tiny&steps=20&engine=cpu');
      await page.click('#tr-start');
      await waitTrain(page, { status: 'done' });
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      if (lang === 'ar-XB') assert.deepEqual(await unaccentedText(page), [], `${width}: text outside the catalogs`);
      assert.deepEqual(await layoutProblems(page), [], `${lang} ${width}: layout`);
      await shoot(page, `train-${lang}-${width}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });

  test(`an embedded widget in ${lang}`, async () => {
    const page = await env.newPage({ viewport: WIDTHS.desktop });
    await page.goto(`${env.url}embed.html?lang=${lang}#view=attention&text=${encodeURIComponent('the cat sees')}`);
    await settle(page, 0);
    const shown = await page.evaluate(() => {
      const w = document.querySelector('transformer-playground');
      return { state: w.state, lang: w.getAttribute('lang') ?? w.lang };
    });
    assert.equal(shown.state, 'ready');
    if (lang === 'ar-XB') assert.deepEqual(await unaccentedText(page), [], 'widget text outside the catalogs');
    await shoot(page, `widget-${lang}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('the picker reloads the page in the chosen language, keeping what it shows', async () => {
  const page = await openExplore('en', WIDTHS.desktop);
  const hash = await page.evaluate(() => location.hash);
  await Promise.all([page.waitForNavigation(), page.selectOption('#lang-picker', 'zh')]);
  await page.waitForFunction(() => window.playgroundDebug?.trace, null, { timeout: LONG });
  const now = await page.evaluate(() => ({ lang: document.documentElement.lang, search: location.search, hash: location.hash }));
  assert.deepEqual(now, { lang: 'zh', search: '?lang=zh', hash });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("without ?lang= the page follows the browser's language", async () => {
  for (const [locale, want] of [['es-MX', 'es'], ['zh-CN', 'zh'], ['de-DE', 'en']]) {
    const page = await env.newPage({ locale });
    await page.goto(env.url);
    await page.waitForFunction(() => window.playgroundDebug?.trace, null, { timeout: LONG });
    assert.equal(await page.evaluate(() => document.documentElement.lang), want, locale);
    await page.context().close();
  }
});
