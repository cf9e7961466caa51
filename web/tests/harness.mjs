// Shared set-up for the browser tests: Debian's Chromium through playwright-core, with real
// WebGPU on SwiftShader (or WebGPU switched off), a static server for web/, and a record of
// console errors so a test can assert there were none.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/static-server.mjs';
import { QUIET, WEBGPU, NO_WEBGPU } from './browser-flags.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-results');
mkdirSync(ARTIFACTS, { recursive: true });


/**
 * Starts the server and a browser. `webgpu: false` switches WebGPU off, so the page must
 * fall back to the CPU engine. `mounts`: more folders to serve, or URL prefixes answered by the
 * test's own functions (see scripts/static-server.mjs).
 */
export async function setup({ webgpu = true, headers, mounts } = {}) {
  const server = await startServer({ root: join(ROOT, 'web'), headers, mounts });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...QUIET, ...(webgpu ? WEBGPU : NO_WEBGPU)],
  });
  return {
    url: server.url,
    browser,
    /** A new page that records console errors and uncaught exceptions in `page.errors`. */
    async newPage(options = {}) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      page.errors = [];
      page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
      page.on('pageerror', (err) => page.errors.push(String(err)));
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Max |a - b| over two equal-length arrays (fails on a length mismatch). */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Waits until Explore's views show the model now loaded and what the address asks for (text,
 * layer, head, sampling), in every section (none left stale): with `tokenizer`, once the model
 * now loaded has it, and with `text`, once the text is that one, i.e. the model, text or choice
 * the test has just opened, typed or made. A render count, or the tokenizer alone, is also met by
 * a draw of the model or text shown before (GPT-2's test read the toy model's ids so). Serves
 * playwright's pages and drivers.mjs's alike.
 * @param {{ tokenizer?: string, text?: string, timeout?: number }} [wanted]
 */
export function waitForViews(page, { tokenizer = null, text = null, timeout = 120_000 } = {}) {
  return page.waitForFunction(({ tokenizer, text }) => {
    const dbg = window.playgroundDebug;
    const shows = dbg?.shows;
    return Boolean(shows?.model && shows.address) && (text === null || shows.text === text)
      && (tokenizer === null || dbg.tokenizer === tokenizer);
  }, { tokenizer, text }, { timeout });
}

/** Types `text` into Explore's text box (an input event, as a user's typing) and waits until every view shows it. */
export async function typeText(page, text, { timeout } = {}) {
  await page.fill('#text', text);
  await waitForViews(page, { text, timeout });
}
