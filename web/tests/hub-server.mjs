// A stand-in for the Hugging Face hub on 127.0.0.1, for tests that download models without
// the network. It serves the model folders under `root` in the hub's layout,
// `<base>/resolve/main/<file>` with `<base>` = `<origin>/<repo>` (one or two path segments,
// as `gpt2` or `HuggingFaceTB/SmolLM2-135M`), and behaves as the hub does where a download
// client must cope:
//   - CORS on every answer (and preflights), exposing Content-Length, Content-Range, ETag;
//   - Range requests (`bytes=a-b`, `bytes=a-`, `bytes=-n`): 206, or 416 past the end;
//   - `.safetensors` files answered by a 302 to a second origin (the hub's CDN);
//   - 404 for a repo or file that is not there.
// Test-only repo prefixes change the delivery:
//   /slow/<repo>/...       trickles the body at `trickleBytesPerSecond`
//   /truncated/<repo>/...  promises the whole Content-Length, sends half, then closes
// Every request is logged (`requests`), so a test can check what a reload downloaded again.
// createHubHandler serves the same from another server: mounted on the page's own origin (the
// static server's `mounts`), without the CDN redirect, the page's CSP lets it reach it.
//   node web/tests/hub-server.mjs [root] [port]    serves build/hf-fixtures/models
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/; // a repo or file name: no '..', no '/'
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range, Content-Type',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, ETag, Accept-Ranges',
};
const TRICKLE_CHUNK = 1024; // bytes per tick of the slow route

/**
 * Parses `/<mode?>/<repo...>/resolve/main/<file>`; null if the path is not in that layout.
 * @returns {{ mode: 'normal'|'slow'|'truncated', repo: string[], file: string } | null}
 */
export function parseHubPath(pathname) {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const at = parts.indexOf('resolve');
  if (at < 1 || parts[at + 1] !== 'main' || parts.length !== at + 3) return null;
  let repo = parts.slice(0, at);
  let mode = 'normal';
  if (repo[0] === 'slow' || repo[0] === 'truncated') [mode, ...repo] = repo;
  const file = parts[at + 2];
  if (repo.length < 1 || repo.length > 2 || ![...repo, file].every((s) => SEGMENT.test(s))) return null;
  return { mode, repo, file };
}

/**
 * Parses a Range header against a file of `size` bytes.
 * @returns {{ start: number, end: number } | 'unsatisfiable' | null} end exclusive; null: no range
 */
export function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start;
  let end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2])); // the last n bytes
    end = size;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  }
  return start >= size || start >= end ? 'unsatisfiable' : { start, end };
}

/**
 * The hub's answers as a request handler, each request logged in `requests`. `cdnUrl()`: the
 * origin `.safetensors` files are redirected to, as the hub does; '' serves them in place (a
 * hub mounted on the page's own origin, which the page's CSP lets it reach).
 * @returns {(origin: 'hub'|'cdn', req: object, res: object, pathname: string) => Promise<void>}
 */
export function createHubHandler({ root, trickleBytesPerSecond = 64 * 1024, requests = [], cdnUrl = () => '' }) {
  const base = resolve(root);

  async function serveFile(req, res, path, mode) {
    let size;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...CORS, 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: size };
    res.writeHead(range ? 206 : 200, {
      ...CORS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      'Accept-Ranges': 'bytes',
      ETag: `"${size}"`,
      ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (mode === 'truncated') {
      const half = start + Math.floor((end - start) / 2);
      createReadStream(path, { start, end: Math.max(start, half - 1) })
        .on('end', () => res.destroy()) // the promised length never arrives
        .pipe(res, { end: false });
      return;
    }
    if (mode === 'slow') {
      const stream = createReadStream(path, { start, end: end - 1, highWaterMark: TRICKLE_CHUNK });
      const delay = (1000 * TRICKLE_CHUNK) / trickleBytesPerSecond;
      stream.on('data', (chunk) => {
        stream.pause();
        res.write(chunk);
        setTimeout(() => stream.resume(), delay);
      });
      stream.on('end', () => res.end());
      res.on('close', () => stream.destroy());
      return;
    }
    createReadStream(path, { start, end: end - 1 }).pipe(res);
  }

  return async (origin, req, res, pathname) => {
    requests.push({ origin, method: req.method, path: pathname, range: req.headers.range });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD' });
      res.end();
      return;
    }
    const route = origin === 'cdn' ? parseCdnPath(pathname) : parseHubPath(pathname);
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' });
      res.end('Repository not found');
      return;
    }
    const path = join(base, ...route.repo, route.file);
    if (origin === 'hub' && cdnUrl() && route.file.endsWith('.safetensors')) {
      // the hub sends large files from its CDN, on another origin
      const prefix = route.mode === 'normal' ? '' : `${route.mode}/`;
      res.writeHead(302, { ...CORS, Location: `${cdnUrl()}${prefix}${route.repo.join('/')}/${route.file}` });
      res.end();
      return;
    }
    await serveFile(req, res, path, route.mode);
  };
}

/** The CDN's paths: `/<mode?>/<repo...>/<file>`. */
function parseCdnPath(pathname) {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const file = parts.pop();
  return parseHubPath(`/${parts.join('/')}/resolve/main/${file}`);
}

/**
 * Starts the hub and its CDN on 127.0.0.1 (port 0: any free port).
 * @returns {Promise<{ url: string, cdnUrl: string, requests: {origin: string, method: string, path: string, range?: string}[], close: () => Promise<void> }>}
 */
export async function startHubServer({ root, port = 0, trickleBytesPerSecond = 64 * 1024 } = {}) {
  const requests = [];
  let cdnUrl = '';
  const handle = createHubHandler({ root, trickleBytesPerSecond, requests, cdnUrl: () => cdnUrl });
  const handler = (origin) => (req, res) => handle(origin, req, res, new URL(req.url, 'http://x').pathname);
  const listen = (server, at) =>
    new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(at, '127.0.0.1', () => ok(`http://127.0.0.1:${server.address().port}/`));
    });
  const hub = createServer(handler('hub'));
  const cdn = createServer(handler('cdn'));
  const url = await listen(hub, port);
  cdnUrl = await listen(cdn, 0);
  const closeOne = (server) => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); });
  return { url, cdnUrl, requests, close: async () => { await closeOne(hub); await closeOne(cdn); } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? fileURLToPath(new URL('../../build/hf-fixtures/models', import.meta.url));
  const server = await startHubServer({ root, port: Number(process.argv[3] ?? 0) });
  console.log(`hub: ${server.url}<repo>/resolve/main/<file> (CDN ${server.cdnUrl}), serving ${root}`);
}
