// What the page benchmarks that compare builds of web/ share (first_heatmap.mjs, keystroke.mjs):
// loads alternate between the builds (in turns A B, B A, …), each in a fresh browser context of
// one headless Chromium with the tests' flags, so a machine's changing load falls on all of them
// alike. Each load starts on an idle browser: the previous one's WebGPU work goes on in
// Chromium's GPU process for about a second after its engineSettledMs (measured,
// docs/PERFORMANCE.md), and a navigation during it found its requestAdapter() waiting and the
// 2 cores taken.
import { chromium } from 'playwright-core';
import { startServer, CROSS_ORIGIN_ISOLATION } from '../../scripts/static-server.mjs';
import { QUIET, WEBGPU, NO_WEBGPU } from '../../web/tests/browser-flags.mjs';

const IDLE_MS = 3000; // pause between loads, after closing the previous one's context
// ISOLATED=1: serve with COOP/COEP, as `make serve` does, so the engine worker runs the threaded
// wasm; otherwise as a host without them (the single-threaded wasm)
const HEADERS = process.env.ISOLATED === '1' ? CROSS_ORIGIN_ISOLATION : {};

/**
 * Opens each build `runs` times, the builds in turn (an even `runs` puts each first as often), and
 * lets `measure` take a load's numbers.
 * @param {'webgpu'|'cpu'} mode cpu: WebGPU switched off, as web/tests/page.cpu
 * @param {string[]} dirs folders of web/ builds
 * @param {number} runs loads of each build
 * @param {(page: object, build: number) => Promise<void>} measure called with a page at the build's
 *   address (1280×900), just navigated to; its context is closed afterwards
 */
export async function alternate(mode, dirs, runs, measure) {
  const servers = await Promise.all(dirs.map((root) => startServer({ root, headers: HEADERS })));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...QUIET, ...(mode === 'webgpu' ? WEBGPU : NO_WEBGPU)],
  });
  try {
    for (let i = 0; i < runs; i++) {
      // A B, then B A: the build loaded second in a round ran slower by 10-30 ms a keystroke
      // with WebGPU on (measured both ways round), so each takes each place as often
      const order = [...servers.keys()];
      if (i % 2 === 1) order.reverse();
      for (const k of order) {
        const server = servers[k];
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(server.url);
        await measure(page, k);
        await context.close();
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      }
    }
  } finally {
    await browser.close();
    for (const server of servers) await server.close();
  }
}

/** The middle value (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
