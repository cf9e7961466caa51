// Finds user-facing words written outside the catalogs (web/locales/): in the page's JavaScript, a
// string or template literal that reads as prose (two words of letters with a space between);
// in the static HTML, text or a user-facing attribute not filled from a data-i18n key. Used by
// i18n-text.test.mjs; run it alone to list what is left: `node web/tests/i18n-scan.mjs [dir|file ...]`.
//
// Not prose, and so not reported: comments, imports, lines that log to the console or build an
// Error for a developer, text inside <code> and <noscript> (shown where no script runs to translate it) in HTML, and a line marked `// i18n-exempt: why`
// (a CSS selector with spaces, a key, a file name pattern, a format's fixed words). A literal that
// is a key (t('area.x')) is never prose.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const SKIP_DIRS = new Set(['tests', 'pkg', 'pkg-threads', 'dist', 'locales', 'i18n', 'models', 'node_modules', 'examples']);
const PROSE = /[A-Za-z]{2,}[,.:;!?’']?\s+[A-Za-z(]{2,}/;
const EXEMPT_LINE = /console\.|new (?:Type|Range|Syntax)?Error\(|^\s*import |^\s*export \* from|i18n-exempt/;
/** Lines where a literal with spaces is CSS (class lists, selectors, fonts, media queries), not prose. */
const CSS_LINE = /className|classList|querySelector|closest\(|matchMedia|\.font\s*=|\bfont:/;

/** Every .js file under `dir` the scan covers. */
export function pageScripts(dir = WEB) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...pageScripts(path));
    } else if (name.endsWith('.js')) out.push(path);
  }
  return out.sort();
}

/** The page's HTML files the scan covers. */
export function pageHtml() {
  return ['index.html', 'embed.html'].map((name) => join(WEB, name));
}

/**
 * String and template literals of a JavaScript source, with their line numbers, comments skipped.
 * @returns {{ line: number, text: string }[]}
 */
export function literals(source) {
  const found = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === '/' && source[i + 1] === '/') { while (i < source.length && source[i] !== '\n') i++; continue; }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      line += (source.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
      continue;
    }
    if (c === '/' && isRegexStart(source, i)) { i = skipRegex(source, i); continue; }
    if (c === '"' || c === "'" || c === '`') {
      const start = line;
      let j = i + 1;
      let text = '';
      let depth = 0;
      while (j < source.length) {
        const d = source[j];
        if (d === '\\') { text += source.slice(j, j + 2); j += 2; continue; }
        if (d === '\n') line++;
        if (c === '`' && d === '$' && source[j + 1] === '{') { depth++; text += ' '; j += 2; continue; }
        if (c === '`' && depth > 0) { if (d === '}') depth--; j++; continue; }
        if (d === c) break;
        text += d;
        j++;
      }
      found.push({ line: start, text });
      i = j + 1;
      continue;
    }
    i++;
  }
  return found;
}

function isRegexStart(source, i) {
  const before = source.slice(0, i).trimEnd();
  const prev = before[before.length - 1];
  return prev === undefined || '(,=:[!&|?{};'.includes(prev) || /\breturn$/.test(before);
}

function skipRegex(source, i) {
  let j = i + 1;
  let inClass = false;
  while (j < source.length && source[j] !== '\n') {
    const d = source[j];
    if (d === '\\') { j += 2; continue; }
    if (d === '[') inClass = true;
    else if (d === ']') inClass = false;
    else if (d === '/' && !inClass) return j + 1;
    j++;
  }
  return j;
}

/** Prose literals of one JavaScript file: [{ file, line, text }]. */
export function scanScript(path) {
  const source = readFileSync(path, 'utf8');
  const lines = source.split('\n');
  return literals(source)
    .filter(({ line, text }) => PROSE.test(text) && !EXEMPT_LINE.test(lines[line - 1]) && !EXEMPT_LINE.test(lines[line - 2] ?? '')
      && !/^[\w-]+(\.[\w-]+)+$/.test(text)
      && !(CSS_LINE.test(lines[line - 1]) && !/[A-Z][a-z]+ [a-z]+|[.!?:]\s/.test(text)))
    .map(({ line, text }) => ({ file: relative(WEB, path), line, text }));
}

const USER_ATTRIBUTES = ['aria-label', 'placeholder', 'title', 'alt', 'aria-description'];

/** Words in one HTML file that no data-i18n key fills: [{ file, line, text }]. */
export function scanHtml(path) {
  const source = readFileSync(path, 'utf8');
  const body = source.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/<(script|style|code|title|noscript)\b[^>]*>[\s\S]*?<\/\1>/g, (c) => c.replace(/[^\n]/g, ' '));
  const found = [];
  const lineOf = (index) => body.slice(0, index).split('\n').length;
  for (const m of body.matchAll(/>([^<]+)</g)) {
    const text = m[1].trim();
    if (/[A-Za-z]{2,}/.test(text)) found.push({ file: relative(WEB, path), line: lineOf(m.index), text });
  }
  for (const m of body.matchAll(/<[a-z][^>]*>/g)) {
    for (const name of USER_ATTRIBUTES) {
      const value = new RegExp(`\\s${name}="([^"]*)"`).exec(m[0])?.[1];
      if (value && /[A-Za-z]{2,}/.test(value)) found.push({ file: relative(WEB, path), line: lineOf(m.index), text: `${name}="${value}"` });
    }
  }
  return found;
}

/** Every finding under the given files or folders (default: the whole page). */
export function scan(targets = []) {
  const files = targets.length === 0
    ? [...pageScripts(), ...pageHtml()]
    : targets.flatMap((t) => (statSync(t).isDirectory() ? pageScripts(t) : [t]));
  return files.flatMap((f) => (f.endsWith('.html') ? scanHtml(f) : scanScript(f)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const findings = scan(process.argv.slice(2));
  for (const f of findings) console.log(`${f.file}:${f.line}: ${JSON.stringify(f.text)}`);
  console.log(`${findings.length} user-facing text(s) outside the catalogs`);
}
