// The Hugging Face fixtures (build/hf-fixtures/models, written by tests/python/hf_fixtures.py when
// the Rust tests run) served by the stand-in hub (hub-server.mjs) to pages that ask
// huggingface.co, as the page does in use.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import { startHubServer } from './hub-server.mjs';

export const MODELS = join(ROOT, 'build/hf-fixtures/models');

/** Fails unless MODELS exists: the tests need no network and skip nothing. */
export function requireFixtures() {
  assert.ok(existsSync(MODELS), `${MODELS} is missing: run \`cargo test -p playground-tests --test all hf_\` (it runs tests/python/hf_fixtures.py)`);
}

/** The stand-in hub serving MODELS. */
export function startFixtureHub(options = {}) {
  requireFixtures();
  return startHubServer({ root: MODELS, ...options });
}

/** Answers `page`'s requests to huggingface.co from the stand-in `hub`. */
export function routeHub(page, hub) {
  return page.route('https://huggingface.co/**', async (route) => {
    const response = await route.fetch({ url: route.request().url().replace('https://huggingface.co/', hub.url) });
    await route.fulfill({ response });
  });
}
