// The local stand-in for the Hugging Face hub (hub-server.mjs) that the model-download tests
// use: the hub's layout, CORS, Range requests, the redirect to a CDN origin, 404s, a slow
// trickle and a cut-short body, each checked with fetch on files made here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubServer, parseHubPath, parseRange } from './hub-server.mjs';

const WEIGHTS = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7) % 251);
let dir;
let hub;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-'));
  for (const repo of ['tiny', 'Org/tiny-2']) {
    mkdirSync(join(dir, repo), { recursive: true });
    writeFileSync(join(dir, repo, 'config.json'), '{"model_type": "llama"}');
    writeFileSync(join(dir, repo, 'model.safetensors'), WEIGHTS);
  }
  hub = await startHubServer({ root: dir, trickleBytesPerSecond: 40000 });
});

after(async () => {
  await hub.close();
  rmSync(dir, { recursive: true });
});

test('paths and ranges parse as the hub has them', () => {
  assert.deepEqual(parseHubPath('/Org/tiny-2/resolve/main/config.json'), { mode: 'normal', repo: ['Org', 'tiny-2'], file: 'config.json' });
  assert.deepEqual(parseHubPath('/slow/tiny/resolve/main/a.json'), { mode: 'slow', repo: ['tiny'], file: 'a.json' });
  for (const bad of ['/tiny/resolve/dev/a', '/../x/resolve/main/a', '/a/b/c/resolve/main/f', '/tiny/resolve/main/..', '/tiny/resolve/main/a/b']) {
    assert.equal(parseHubPath(bad), null, bad);
  }
  assert.deepEqual(parseRange('bytes=2-5', 10), { start: 2, end: 6 });
  assert.deepEqual(parseRange('bytes=4-', 10), { start: 4, end: 10 });
  assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 10 });
  assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(parseRange(undefined, 10), null);
});

test('files come with CORS; a missing repo or file is a 404', async () => {
  const res = await fetch(`${hub.url}Org/tiny-2/resolve/main/config.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await res.json(), { model_type: 'llama' });
  for (const path of ['nope/resolve/main/config.json', 'tiny/resolve/main/nope.json', 'tiny/raw/main/config.json']) {
    const missing = await fetch(`${hub.url}${path}`);
    assert.equal(missing.status, 404, path);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*', path);
  }
  const preflight = await fetch(`${hub.url}tiny/resolve/main/config.json`, { method: 'OPTIONS' });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get('access-control-allow-headers'), /Range/);
});

test('weights redirect to the CDN origin, which answers ranges', async () => {
  const hop = await fetch(`${hub.url}tiny/resolve/main/model.safetensors`, { redirect: 'manual' });
  assert.equal(hop.status, 302);
  const location = hop.headers.get('location');
  assert.ok(location.startsWith(hub.cdnUrl) && hub.cdnUrl !== hub.url, location);
  const whole = await fetch(`${hub.url}tiny/resolve/main/model.safetensors`);
  assert.equal(whole.url, location);
  assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), WEIGHTS);
  const part = await fetch(location, { headers: { Range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 100-199/${WEIGHTS.length}`);
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), WEIGHTS.slice(100, 200));
  const past = await fetch(location, { headers: { Range: `bytes=${WEIGHTS.length}-` } });
  assert.equal(past.status, 416);
  assert.ok(hub.requests.some((r) => r.origin === 'cdn' && r.range === 'bytes=100-199'));
});

test('the slow route trickles and the truncated route stops halfway', async () => {
  const started = performance.now();
  const slow = await fetch(`${hub.url}slow/tiny/resolve/main/model.safetensors`);
  assert.deepEqual(new Uint8Array(await slow.arrayBuffer()), WEIGHTS);
  const seconds = (performance.now() - started) / 1000;
  // 20,000 bytes at 40,000 B/s: at least ~0.5 s (a lower bound holds under any load)
  assert.ok(seconds > 0.4, `${seconds} s`);
  const cut = await fetch(`${hub.url}truncated/tiny/resolve/main/model.safetensors`);
  assert.equal(cut.headers.get('content-length'), String(WEIGHTS.length));
  await assert.rejects(cut.arrayBuffer(), /terminated|premature|closed/i);
});
