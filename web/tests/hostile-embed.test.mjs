// Security of embeds, in headless Chromium (CPU engine): a blog post under a strict CSP
// (fixtures/hostile-embed.html: no unsafe-inline, no unsafe-eval) with hostile attribute values,
// and hostile addresses for embed.html and index.html (markup, javascript: and data: URLs, models
// elsewhere, huge, negative and NaN numbers, prototype keys). Nothing executes (no dialog, no
// injected global, no element the page did not make), there is no CSP violation and no request
// off the page's origin, every bad value is refused with a message in its widget or page, text
// shows as text, and the post's own content is untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, waitForViews, ARTIFACTS } from './harness.mjs';
import { openPage, settle, states, LOAD_TIMEOUT } from './widget-helpers.mjs';

const PWN = '<script>window.pwned=1</script>';
const IMG = '<img src=x onerror="window.pwned=2">';

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

/** Opens `path` recording dialogs too; nothing hostile may run in it. */
async function open(path) {
  const page = await openPage(env, path, { viewport: { width: 1000, height: 900 } });
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss(); });
  return page;
}

/** Asserts that nothing ran and nothing left the origin. */
async function assertNothingRan(page) {
  const seen = await page.evaluate(() => ({
    pwned: window.pwned,
    violations: window.cspViolations,
    scripts: document.scripts.length,
    shadowMarkup: [...document.querySelectorAll('transformer-playground')].flatMap((w) => [...w.shadowRoot.querySelectorAll('script, img, iframe, object, embed')].map((n) => n.outerHTML)),
  }));
  assert.equal(seen.pwned, undefined, 'no hostile script ran');
  assert.deepEqual(page.dialogs, [], 'no dialog');
  assert.deepEqual(seen.violations, [], 'no CSP violation');
  assert.deepEqual(seen.shadowMarkup, [], 'no element from a value inside any widget');
  const origin = new URL(env.url).origin;
  const away = page.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(away, [], 'no request off the page’s origin');
  return seen;
}

test('a post under a strict CSP with hostile widget attributes: each refused with its message, nothing runs, the post is untouched', async () => {
  const page = await open('tests/fixtures/hostile-embed.html');
  const ids = await page.evaluate(() => [...document.querySelectorAll('transformer-playground')].map((w) => w.id));
  // syntax errors show at once; top-k's range needs the model, so that widget and the text one are scrolled into view
  await page.waitForFunction(() => [...document.querySelectorAll('transformer-playground:not(#w-markup):not(#w-topk)')].every((w) => w.state === 'error'), null, { timeout: LOAD_TIMEOUT });
  await settle(page, ids.indexOf('w-topk'), { scroll: true });
  await settle(page, ids.indexOf('w-markup'), { scroll: true });
  const byId = Object.fromEntries((await states(page)).map((s, i) => [ids[i], s]));
  const expect = {
    'w-view': [/^view="<script>window\.pwned=1<\/script>" is not one of tokens, attention/],
    'w-layer': [/^layer="-1" is not a whole number/, /^head="1e309" is not a whole number/],
    'w-numbers': [/^temperature="NaN" is not a number/, /^top-k="-0" is not a whole number/, /^top-p="Infinity" is not a number/],
    'w-topk': [/^top-k="9{23}" is out of range: it must be from 0 to \d+ \(this model has \d+ tokens\)/],
    'w-js-model': [/^model="javascript:window\.pwned=1": only http and https URLs are allowed, not javascript:/],
    'w-data-model': [/^model="data:application.*": only http and https URLs are allowed, not data:/],
    'w-far-model': [/^model="https:\/\/evil\.example\/model\.safetensors": https:\/\/evil\.example is not allowed/],
    'w-cred-model': [/^model=".*": a model URL may not contain a user name or password/],
    'w-trainer': [/^seed="4294967296" is out of range/, /^task="__proto__" is not one of copy, reverse/, /^steps="-5" is not a whole number/],
    'w-empty': [/^text is empty/],
  };
  for (const [id, patterns] of Object.entries(expect)) {
    const s = byId[id];
    assert.equal(s.state, 'error', id);
    assert.equal(s.errors.length, patterns.length, `${id}: ${s.errors.join(' | ')}`);
    for (const p of patterns) assert.ok(s.errors.some((e) => p.test(e)), `${id}: ${p} in ${s.errors.join(' | ')}`);
  }
  // markup in the text is text: its characters are the token chips
  assert.equal(byId['w-markup'].state, 'ready');
  const shown = await page.evaluate(() => document.querySelector('#w-markup').shadowRoot.querySelector('.chips[aria-label="tokens"]').textContent);
  assert.match(shown, /<.*i.*m.*g/s, `the chips show the markup's characters: ${shown.slice(0, 120)}`);
  await assertNothingRan(page);
  const post = await page.evaluate(() => ({
    title: document.querySelector('#post-title').textContent,
    text: document.querySelector('#post-text').textContent,
    end: document.querySelector('#post-end').textContent,
    children: [...document.querySelector('#post').children].map((c) => c.id),
    outside: document.body.children.length,
  }));
  assert.deepEqual(post, {
    title: 'Attention, explained',
    text: 'The post\'s own words, which no widget may change.',
    end: 'The end of the post.',
    children: ['post-title', 'post-text', ...ids, 'post-end'],
    outside: 1,
  });
  await page.screenshot({ path: join(ARTIFACTS, 'hostile-embed.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('embed.html with a hostile address: messages in the widget, a note for an unknown name, nothing runs', async () => {
  const hash = new URLSearchParams([['view', PWN], ['layer', '-1'], ['model', 'javascript:window.pwned=1'], ['text', IMG], ['__proto__', 'x'], ['top-k', '1e999']]).toString();
  const page = await open(`embed.html#${hash}`);
  await settle(page, 0);
  const [w] = await states(page);
  assert.equal(w.state, 'error');
  assert.match(w.errors.join('\n'), /view="<script>window\.pwned=1<\/script>" is not one of/);
  assert.match(w.errors.join('\n'), /layer="-1" is not a whole number/);
  assert.match(w.errors.join('\n'), /model="javascript:window\.pwned=1": only http and https URLs are allowed/);
  assert.match(w.errors.join('\n'), /top-k="1e999" is not a whole number/);
  assert.match(await page.textContent('#embed'), /The address has "__proto__", which is not a widget setting; it is ignored\./);
  await assertNothingRan(page);
  assert.equal(await page.evaluate(() => Object.prototype.x), undefined, 'no prototype pollution');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('index.html with a hostile address: the page says what it replaced, shows the text as text, nothing runs', async () => {
  const hash = new URLSearchParams([['text', `${PWN}${IMG}`], ['layer', '-1'], ['view', 'javascript:alert(1)'], ['topk', '1e309'], ['temp', 'NaN'], ['__proto__', 'x'], ['constructor', '1']]).toString();
  const page = await open(`index.html#${hash}`);
  await waitForViews(page, { timeout: LOAD_TIMEOUT });
  const seen = await page.evaluate(() => ({
    text: document.querySelector('#text').value,
    notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent).join('\n'),
    state: window.playgroundDebug.state,
  }));
  assert.equal(seen.text, `${PWN}${IMG}`, 'the text box holds the markup as text');
  assert.match(seen.notices, /From the address: layer must be a whole number from 0 to \d+; using 0 instead/);
  assert.match(seen.notices, /From the address: view must be one of tokens, embeddings/);
  assert.match(seen.notices, /From the address: topk must be a whole number/);
  assert.match(seen.notices, /From the address: temp must be a number/);
  assert.match(seen.notices, /unknown setting "__proto__"/);
  assert.match(seen.notices, /unknown setting "constructor"/);
  assert.deepEqual({ layer: seen.state.layer, view: seen.state.view, topk: seen.state.topk, temp: seen.state.temp }, { layer: 0, view: 'tokens', topk: 0, temp: 1 });
  const seenRun = await assertNothingRan(page);
  assert.equal(seenRun.scripts, 3, 'only the page’s own three script elements (boot.js, main.js, share.js)');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img[src="x"], body script:not([type="module"])').length), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});
