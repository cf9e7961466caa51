// Firefox and WebKit (and Chromium, for tests that run in all three) behind one small page API,
// so that one suite drives each the way the Chromium tests drive Chromium (DOM, clicks, typing):
//   chromium: Debian's Chromium through playwright-core, WebGPU off, as harness.mjs starts it;
//   firefox: Debian's Firefox ESR through WebDriver BiDi (puppeteer-core), headless;
//   webkit:  WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, selenium-webdriver),
//            on a private Xvfb display, as WebKitGTK has no headless mode.
// Each gathers console errors and uncaught exceptions (`await page.collectErrors()`): Chromium
// and Firefox through their console events, WebKit (whose WebDriver has none) through
// page-errors.js, which the test server puts first into every HTML page it serves (ERROR_RECORDER).
// Chromium's tab offers what the tests run in all three use (no downloads or uploads).
import puppeteer from 'puppeteer-core';
import { chromium } from 'playwright-core';
import { Builder, Key } from 'selenium-webdriver';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_WEBGPU, QUIET } from '../browser-flags.mjs';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
/** The HTML the test server puts after `<head>` for browsers without console events (see page-errors.js). */
export const ERROR_RECORDER = '<script src="/tests/browsers/page-errors.js"></script>';

const POLL_MS = 100; // how often waitForFunction asks the page
const WAIT_MS = 60_000; // default wait
const SESSION_MS = 60_000; // a WebKit session (a MiniBrowser) starting
const SESSION_TRIES = 3;
const XVFB_SCREEN = '1920x1400x24'; // large enough for a 1280 × 900 window and a 390 px phone one

/** Firefox's preferences that switch its WebGPU on where Linux builds keep it off (Mesa's software Vulkan is blocklisted). */
export const FIREFOX_WEBGPU = { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true };

/**
 * Starts a browser. `name`: 'chromium', 'firefox' or 'webkit'; `prefs`: Firefox's preferences.
 * @returns {Promise<{ name: string, version: string,
 *   newPage: (options?: { width?: number, height?: number }) => Promise<object>, close: () => Promise<void> }>}
 */
export function launch(name, { prefs = {} } = {}) {
  if (name === 'chromium') return launchChromium();
  if (name === 'firefox') return launchFirefox(prefs);
  if (name === 'webkit') return launchWebKit();
  throw new Error(`unknown browser ${name}`);
}

// --- Chromium: playwright-core, as harness.mjs starts it, with WebGPU off ------------------------

async function launchChromium() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...QUIET, ...NO_WEBGPU] });
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newPage({ width = 1280, height = 900 } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
      page.on('pageerror', (err) => errors.push(String(err)));
      page.on('dialog', (dialog) => dialog.accept());
      return {
        collectErrors: async () => errors,
        goto: (url) => page.goto(url),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        waitForFunction: (fn, arg, { timeout = WAIT_MS } = {}) => page.waitForFunction(fn, arg, { timeout }),
        click: (selector) => page.click(selector),
        async fill(selector, text) {
          await page.fill(selector, '');
          await page.locator(selector).pressSequentially(text);
        },
        screenshot: (path) => page.screenshot({ path }),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// --- Firefox: puppeteer-core over WebDriver BiDi --------------------------------------------

async function launchFirefox(prefs) {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: prefs });
  const version = (await browser.version()).replace('firefox/', 'Firefox ');
  return {
    name: 'firefox',
    version,
    async newPage({ width = 1280, height = 900 } = {}) {
      const downloads = mkdtempSync(join(tmpdir(), 'firefox-downloads-'));
      const context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
      const page = await context.newPage();
      await page.setViewport({ width, height });
      const errors = [];
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
      page.on('pageerror', (err) => errors.push(String(err)));
      page.on('dialog', (dialog) => dialog.accept()); // "Reset the run?" and the like: the reader says yes
      return wrapPuppeteer(page, context, errors, downloads);
    },
    close: () => browser.close(),
  };
}

function wrapPuppeteer(page, context, errors, downloads) {
  return {
    /** Console errors and uncaught exceptions so far, of every page this tab showed. */
    collectErrors: async () => errors,
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: (fn, arg, { timeout = WAIT_MS } = {}) => poll((a) => page.evaluate(fn, a), arg, timeout),
    async click(selector) {
      await poll((s) => page.evaluate(isEnabled, s), selector, WAIT_MS);
      await page.click(selector);
    },
    /** Replaces the field's text by typing `text` key by key, as a reader would. */
    async fill(selector, text) {
      await poll((s) => page.evaluate(isEnabled, s), selector, WAIT_MS);
      await page.focus(selector);
      await page.evaluate((s) => document.querySelector(s).select(), selector);
      await page.keyboard.press('Backspace');
      if (text) await page.keyboard.type(text);
    },
    setInputFiles: async (selector, paths) => (await page.$(selector)).uploadFile(...paths),
    /** Clicks `selector` and resolves to the path of the file it downloads. */
    async download(selector) {
      const before = new Set(readdirSync(downloads));
      await page.click(selector);
      return waitForDownload(downloads, before);
    },
    screenshot: (path) => page.screenshot({ path }),
    async close() {
      await context.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

// --- WebKit: WebKitWebDriver + MiniBrowser on Xvfb, selenium-webdriver -------------------------

async function launchWebKit() {
  const xvfb = await startXvfb();
  const port = await freePort();
  // MiniBrowser saves downloads to the user's download folder, which glib reads from user-dirs.dirs
  const downloads = mkdtempSync(join(tmpdir(), 'webkit-downloads-'));
  const config = mkdtempSync(join(tmpdir(), 'webkit-config-'));
  writeFileSync(join(config, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${downloads}"\n`);
  // one session at a time (a tab is a session); a new one replaces one a failed test left open
  const driverProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--replace-on-new-session'], {
    env: { ...process.env, DISPLAY: xvfb.display, XDG_CONFIG_HOME: config },
    stdio: 'ignore',
  });
  const stop = () => {
    driverProcess.kill();
    xvfb.process.kill();
  };
  process.once('exit', stop); // a test process that dies leaves no display or driver behind
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/status`);
  const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libwebkit2gtk-4.1-0']).toString();
  return {
    name: 'webkit',
    version: `WebKitGTK ${version} (MiniBrowser)`,
    async newPage({ width = 1280, height = 900 } = {}) {
      // a new session starts a MiniBrowser; once in a full run under load one never answered and
      // the suite waited forever, so a start that takes over SESSION_MS is given up and tried again
      for (let attempt = 1; ; attempt++) {
        try {
          const driver = await withTimeout(new Builder()
            .usingServer(url)
            .withCapabilities({
              browserName: 'MiniBrowser',
              'webkitgtk:browserOptions': { args: ['--automation'] },
              unhandledPromptBehavior: 'accept', // "Reset the run?" and the like: the reader says yes
            })
            .build(), SESSION_MS, 'starting a WebKit session');
          await driver.manage().setTimeouts({ script: 10 * WAIT_MS });
          await withTimeout(sizeViewport(driver, width, height), SESSION_MS, 'sizing the WebKit window');
          return wrapWebDriver(driver, downloads);
        } catch (err) {
          if (attempt === SESSION_TRIES) throw err;
          console.log(`webkit: ${err.message}; trying again`);
        }
      }
    },
    async close() {
      process.off('exit', stop);
      stop();
      for (const dir of [downloads, config]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resizes the window so that the page's viewport is `width` × `height` (the window adds its own frame). */
async function sizeViewport(driver, width, height) {
  await driver.manage().window().setRect({ width, height });
  const [w, h] = await driver.executeScript('return [innerWidth, innerHeight]');
  if (w !== width || h !== height) await driver.manage().window().setRect({ width: 2 * width - w, height: 2 * height - h });
}

/** `fn(arg)` run in the page as a WebDriver async script; resolves to its (awaited) result. */
function evaluateWebDriver(driver, fn, arg) {
  const script = `const done = arguments[arguments.length - 1];
    Promise.resolve().then(() => (${fn})(arguments[0])).then(
      (value) => done({ value: value === undefined ? null : value }),
      (err) => done({ error: String(err && err.stack ? err.message + '\\n' + err.stack : err) }));`;
  return driver.executeAsyncScript(script, arg ?? null).then((r) => {
    if (r.error !== undefined) throw new Error(`in the page: ${r.error}`);
    return r.value;
  });
}

function wrapWebDriver(driver, downloads) {
  const evaluate = (fn, arg) => evaluateWebDriver(driver, fn, arg);
  const find = (selector) => driver.findElement({ css: selector });
  const errors = []; // of the pages this tab showed before the current one
  const recorded = () => evaluate(() => window.pageErrors ?? ['page-errors.js did not run in this page']);
  const page = {
    /** Console errors and uncaught exceptions so far, of every page this tab showed. */
    collectErrors: async () => [...errors, ...(await recorded())],
    async goto(url) {
      if ((await driver.getCurrentUrl()).startsWith('http')) errors.push(...(await recorded()));
      await driver.get(url);
    },
    evaluate,
    waitForFunction: (fn, arg, { timeout = WAIT_MS } = {}) => poll((a) => evaluate(fn, a), arg, timeout),
    async click(selector) {
      await poll((s) => evaluate(isEnabled, s), selector, WAIT_MS);
      await (await find(selector)).click();
    },
    /**
     * Replaces the field's text by typing `text` key by key, as a reader would. WebKitWebDriver
     * drops characters beyond the Basic Multilingual Plane (emoji, 𝔘) from typed keys, so those
     * go in at the caret as an emoji picker or a paste puts them: an insertText input event.
     */
    async fill(selector, text) {
      await poll((s) => evaluate(isEnabled, s), selector, WAIT_MS);
      const field = await find(selector);
      await field.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
      for (const run of text.match(/[\u{10000}-\u{10FFFF}]+|[^\u{10000}-\u{10FFFF}]+/gu) ?? []) {
        if (run.codePointAt(0) > 0xffff) await evaluate((s) => document.execCommand('insertText', false, s), run);
        else await field.sendKeys(run);
      }
    },
    setInputFiles: async (selector, paths) => (await find(selector)).sendKeys(paths.join('\n')),
    async download(selector) {
      const before = new Set(readdirSync(downloads));
      await page.click(selector);
      return waitForDownload(downloads, before);
    },
    async screenshot(path) {
      writeFileSync(path, await driver.takeScreenshot(), 'base64');
    },
    async close() {
      await driver.quit();
    },
  };
  return page;
}

// --- shared pieces ------------------------------------------------------------------------------

/**
 * In the page: whether `selector` names an element that a click or typing would reach now. Both
 * wait for it, as playwright's do (the page enables a button on its next frame after an input).
 */
function isEnabled(selector) {
  const element = document.querySelector(selector);
  return Boolean(element) && !element.disabled;
}

/** Resolves to `ask(arg)`'s first truthy answer, polled every POLL_MS; rejects after `timeout` ms. */
/** `promise`, or an error naming `what` once `ms` have passed without it settling. */
function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function poll(ask, arg, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await ask(arg);
    if (value) return value;
    if (Date.now() > end) throw new Error(`waitForFunction: still false after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The path of the first complete file that appears in `dir` and was not in `before`. */
async function waitForDownload(dir, before) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const done = readdirSync(dir).filter((f) => !before.has(f) && !/\.(part|download)$/.test(f));
    if (done.length) return join(dir, done[0]);
    if (Date.now() > end) throw new Error(`no download in ${dir} after ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** An Xvfb server on a display number it picks itself (-displayfd). */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const process = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', XVFB_SCREEN, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    process.once('error', reject);
    process.stdio[3].once('data', (d) => resolve({ process, display: `:${String(d).trim()}` }));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url) {
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      if (Date.now() > end) throw new Error(`${url} did not answer`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
