// index.html itself, without a browser: its ids are unique (main.js and the steps bar find
// elements by id), and it lists every module its entry scripts import, statically and
// transitively, as <link rel="modulepreload">, so the browser fetches them all at once instead of
// one import level after another. Modules loaded on demand (import(), e.g. the Train page) stay
// off the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
const html = readFileSync(join(WEB, 'index.html'), 'utf8');

/** Paths relative to web/ of the `<tag … attr="./x.js">` matching `pattern`. */
const listed = (pattern) => [...html.matchAll(pattern)].map((m) => relative(WEB, join(WEB, m[1])));

/** The relative specifiers of a module's static imports and re-exports. */
function staticImports(file) {
  const src = readFileSync(join(WEB, file), 'utf8');
  const specs = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|^\s*import\s+'([^']+)'/gms)];
  return specs.map((m) => m[1] ?? m[2]).filter((spec) => spec.startsWith('.'));
}

function closure(entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) visit(relative(WEB, join(WEB, dirname(file), spec)));
  };
  entries.forEach(visit);
  return seen;
}

test('index.html preloads exactly the modules its scripts import', () => {
  const entries = listed(/<script type="module" src="([^"]+)"><\/script>/g);
  assert.deepEqual(entries, ['boot.js', 'main.js', 'share.js']);
  const preloaded = listed(/<link rel="modulepreload" href="([^"]+)">/g);
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module is listed twice');
  const imported = [...closure(entries)].filter((f) => !entries.includes(f));
  assert.ok(imported.includes('views/heatmap.js') && imported.includes('engine/client.js'));
  assert.deepEqual([...preloaded].sort(), imported.sort());
});

test('every id in index.html is unique', () => {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.includes('attention') && ids.includes('pick-head'));
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
});
