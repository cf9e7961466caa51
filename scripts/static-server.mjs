// A small static file server for web/ on 127.0.0.1: the right MIME types (application/wasm),
// no directory listings, nothing outside the root; cross-origin isolated when run as `make serve`.
// Used by `make serve` and the browser tests.
//   node scripts/static-server.mjs [port]      serves web/ and prints the URL
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The headers that make a page cross-origin isolated (`crossOriginIsolated` is true), which
 * SharedArrayBuffer, and so the engine's wasm threads, need. `make serve` sends them; a host
 * that does not gets the single-threaded engine.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves `root` on 127.0.0.1:`port` (0 = any free port). `mounts` maps URL prefixes (ending
 * in '/') to other folders, e.g. { '/bench/': 'tools/bench/browser' }; the first match wins.
 * `prelude`: HTML put right after `<head>` in every HTML page (the tests' error recorder for
 * browsers without console events). `handlers` maps URL prefixes to functions that answer
 * those requests themselves, `(req, res) => void` (a test's server that trickles or stalls).
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startServer({ root, port = 0, headers = {}, mounts = {}, prelude = '', handlers = {} }) {
  const roots = [...Object.entries(mounts), ['/', root]].map(([prefix, dir]) => [prefix, resolve(dir)]);
  const server = createServer(async (req, res) => {
    try {
      const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const handler = Object.entries(handlers).find(([p]) => url.startsWith(p));
      if (handler) return handler[1](req, res);
      const [prefix, base] = roots.find(([p]) => url.startsWith(p));
      const path = url.slice(prefix.length - 1);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) throw Object.assign(new Error('outside root'), { code: 'ENOENT' });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      let body = await readFile(file);
      if (prelude && extname(file) === '.html') body = String(body).replace('<head>', `<head>\n${prelude}`);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ...headers,
      });
      res.end(body);
    } catch (err) {
      res.writeHead(err.code === 'ENOENT' || err.code === 'EISDIR' ? 404 : 500, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      ok({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(fileURLToPath(new URL('..', import.meta.url)), 'web');
  const port = Number(process.argv[2] ?? 8000);
  const { url } = await startServer({ root, port, headers: CROSS_ORIGIN_ISOLATION });
  console.log(`Transformer Playground is served at ${url}  (Ctrl-C stops it)`);
}
