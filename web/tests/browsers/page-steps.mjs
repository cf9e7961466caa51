// Steps the cross-browser tests take on the page through drivers.mjs's page API: type into
// Explore and wait for the drawing, open Explore, read whether canvases are drawn, gather the page's errors.

import { before, after } from 'node:test';
import { join } from 'node:path';
import { ROOT, typeText as typeInto } from '../harness.mjs';
import { startServer } from '../../../scripts/static-server.mjs';
import { ERROR_RECORDER, launch } from './drivers.mjs';

export const LOAD_MS = 120_000; // engine start, model and first trace (WebKit's first draw takes seconds)
const DRAW_MS = 120_000; // a trace after typing (WebKit's first draws take seconds)

/** The errors the page recorded: console errors, uncaught exceptions and CSP violations. */
export async function pageErrors(page) {
  const csp = await page.evaluate(() => window.pageErrors.filter((e) => e.startsWith('CSP:')));
  return [...new Set([...(await page.collectErrors()), ...csp])];
}

/** Types `text` into Explore's field and waits until every view shows it (harness.mjs's typeText). */
export const typeText = (page, text) => typeInto(page, text, { timeout: DRAW_MS });

/**
 * For each canvas under `selector` that is shown (not in a closed <details>): its size and how
 * many distinct colours it has (1 = blank). A canvas the page draws on is never blank.
 */
export function canvases(page, selector) {
  return page.evaluate((selector) => [...document.querySelectorAll(`${selector} canvas`)]
    .filter((c) => c.width > 0 && c.height > 0 && c.checkVisibility())
    .map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < data.length && colours.size < 3; i += 4 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2] | (data[i + 3] << 24));
      return { width: c.width, height: c.height, colours: colours.size, label: c.getAttribute('aria-label') ?? c.className };
    }), selector);
}


/**
 * Starts the test server and `name`'s browser once for the file's tests.
 * @returns {{ url: string, browser: object }} filled in by `before`
 */
export function useBrowser(name, options = {}) {
  const env = {};
  before(async () => {
    const server = await startServer({ root: join(ROOT, 'web'), prelude: ERROR_RECORDER });
    env.url = server.url;
    env.server = server;
    env.browser = await launch(name, options);
    console.log(`${name}: ${env.browser.version}`);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** A new tab on Explore, once the engine has drawn the example (or the text in `hash`). */
export async function openExplore(env, hash = '') {
  const page = await env.browser.newPage({ width: 1280, height: 900 });
  await page.goto(env.url + hash);
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_MS });
  return page;
}
