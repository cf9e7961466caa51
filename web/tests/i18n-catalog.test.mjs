// The message catalogs (web/locales/<language>/<area>.json), in Node: every language has every
// area and every key of English, no more; each message parses, and a translation keeps its
// parameters, select cases and markup; every key the page uses exists and every key is used;
// Spanish and Chinese prose is not left in English. Also the message syntax itself (plurals and
// numbers through Intl) and how the page's language is chosen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMessage, formatNodes, messageShape, parseMessage } from '../i18n/messages.js';
import { LANGUAGES, pageLanguage, supportedLanguage, addressWithLanguage } from '../i18n/language.js';
import { AREAS } from '../i18n/i18n.js';
import { pageScripts, pageHtml } from './i18n-scan.mjs';

const LOCALES = fileURLToPath(new URL('../locales/', import.meta.url));
const CODES = LANGUAGES.map((l) => l.code);

const catalog = (code, area) => JSON.parse(readFileSync(join(LOCALES, code, `${area}.json`), 'utf8'));
const catalogs = Object.fromEntries(CODES.map((code) => [code, Object.fromEntries(AREAS.map((area) => [area, catalog(code, area)]))]));
const english = Object.assign({}, ...Object.values(catalogs.en));

test('every language has exactly the catalog files of the areas', () => {
  for (const code of CODES) {
    assert.deepEqual(readdirSync(join(LOCALES, code)).sort(), AREAS.map((a) => `${a}.json`).sort(), code);
  }
});

test('every key is prefixed by its area, and each language has exactly English keys', () => {
  const problems = [];
  for (const area of AREAS) {
    const keys = Object.keys(catalogs.en[area]);
    for (const key of keys) if (!key.startsWith(`${area}.`)) problems.push(`en/${area}.json: "${key}" is not prefixed "${area}."`);
    for (const code of CODES.slice(1)) {
      const other = catalogs[code][area];
      for (const key of keys) if (!(key in other)) problems.push(`${code}/${area}.json lacks "${key}"`);
      for (const key of Object.keys(other)) if (!(key in catalogs.en[area])) problems.push(`${code}/${area}.json has "${key}", which English does not`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every message parses, and each translation keeps its parameters, select cases and markup', () => {
  const problems = [];
  for (const code of CODES) {
    for (const area of AREAS) {
      for (const [key, message] of Object.entries(catalogs[code][area])) {
        if (typeof message !== 'string') { problems.push(`${code} ${key}: not a string`); continue; }
        try {
          parseMessage(message);
        } catch (e) {
          problems.push(`${code} ${key}: ${e.message}`);
          continue;
        }
        if (code === 'en' || !(key in english)) continue;
        let want;
        try { want = messageShape(english[key]); } catch { continue; }
        const got = messageShape(message);
        if (canonical(got) !== canonical(want)) {
          problems.push(`${code} ${key}: ${JSON.stringify(got)} but English has ${JSON.stringify(want)}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

/** A message shape as text, its parameters in name order (a translation may reorder them). */
function canonical({ args, tags, cases }) {
  return JSON.stringify([Object.entries(args).sort(), tags, Object.entries(cases).sort()]);
}

/** A quoted key of one of the areas, 'train.run.start': kept in a table and passed to t() later. */
const QUOTED_KEY = new RegExp(`['"]((?:${AREAS.join('|')})\\.[\\w-]+(?:\\.[\\w-]+)+)['"]`, 'g');

/** Keys the page names: t('…'), tNodes('…'), data-i18n="…", data-i18n-attr="attr:…", and the prefixes of keys it builds (t(`area.x.${…}`)). */
function keysInCode() {
  const exact = new Set();
  const prefixes = new Set();
  for (const file of [...pageScripts(), ...pageHtml(), fileURLToPath(new URL('../i18n/page-language.js', import.meta.url))]) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\b(?:t|tNodes)\(\s*'([a-z0-9]+(?:\.[\w-]+)+)'/g)) exact.add(m[1]);
    for (const m of source.matchAll(/\b(?:t|tNodes)\(\s*`([a-z0-9]+(?:\.[\w-]+)*\.)\$\{/g)) prefixes.add(m[1]);
    for (const m of source.matchAll(/data-i18n="([^"]+)"/g)) exact.add(m[1]);
    for (const m of source.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(';')) exact.add(pair.split(':')[1].trim());
    }
    // keys kept in tables and passed to t() later: a quoted 'area.x.y' string of a known area
    for (const m of source.matchAll(QUOTED_KEY)) exact.add(m[1]);
  }
  return { exact, prefixes };
}

test('every key the page uses exists in English, and every English key is used', () => {
  const { exact, prefixes } = keysInCode();
  const missing = [...exact].filter((key) => !(key in english));
  assert.deepEqual(missing, [], 'keys used by the code but absent from web/locales/en');
  const unused = Object.keys(english).filter((key) => !exact.has(key) && ![...prefixes].some((p) => key.startsWith(p)));
  assert.deepEqual(unused, [], 'keys in web/locales/en that no code uses');
});

/** Words of prose in a message: lower-case words outside parameters, markup, code and parentheses. */
function proseWords(message) {
  let text = message.replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/\{[^{}]*\}/g, ' ').replace(/<\/?[a-z]+>/g, ' ');
  while (/\([^()]*\)/.test(text)) text = text.replace(/\([^()]*\)/g, ' ');
  return text.match(/(?<![\w-])[a-z]{3,}(?![\w-])/g) ?? [];
}

test('Spanish and Chinese prose is translated, not left in English', () => {
  const problems = [];
  for (const code of ['es', 'zh']) {
    for (const area of AREAS) {
      for (const [key, message] of Object.entries(catalogs[code][area])) {
        const en = english[key];
        if (en === undefined || proseWords(en).length < 3) continue; // names, terms and symbols may stay
        if (message === en) problems.push(`${code} ${key}: same as English: ${en}`);
        else if (code === 'zh' && !/[\u3400-\u9fff]/.test(message)) problems.push(`zh ${key}: no Chinese characters: ${message}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('messages format plurals, numbers and selections through Intl', () => {
  const steps = '{n, plural, one {# step} other {# steps}} done';
  assert.equal(formatMessage(steps, { n: 1 }, 'en'), '1 step done');
  assert.equal(formatMessage(steps, { n: 12345 }, 'en'), '12,345 steps done');
  assert.equal(formatMessage('{n, plural, one {# paso} other {# pasos}}', { n: 12345.5 }, 'es'), '12.345,5 pasos');
  assert.equal(formatMessage('{n, plural, other {# 步}}', { n: 2000 }, 'zh'), '2,000 步');
  assert.equal(formatMessage('{n, plural, =0 {none} other {#}}', { n: 0 }, 'en'), 'none');
  assert.equal(formatMessage('{b, select, cpu {the CPU} other {the GPU}}', { b: 'cpu' }, 'en'), 'the CPU');
  assert.equal(formatMessage('{b, select, cpu {the CPU} other {the GPU}}', { b: 'webgpu' }, 'en'), 'the GPU');
  assert.equal(formatMessage("it's {x}", { x: '{not syntax}' }, 'en'), "it's {not syntax}");
  assert.equal(formatMessage('{p, number, percent}', { p: 0.125 }, 'en'), '12.5%');
  assert.throws(() => formatMessage('{x}', {}, 'en'), /missing parameter "x"/);
  for (const bad of ['a {b', 'a }', '<code>x', 'x</em>', '{n, plural, one {x}}', '{n, nonsense}']) {
    assert.throws(() => parseMessage(bad), SyntaxError, bad);
  }
  const nodes = formatNodes('run <code>{cmd}</code> now', { cmd: '<b>x</b>' }, 'en', (tag, children) => ({ tag, children }));
  assert.deepEqual(nodes, ['run ', { tag: 'code', children: ['<b>x</b>'] }, ' now']);
  assert.deepEqual(messageShape('{n, plural, one {# <em>x</em>} other {#}} {w, select, a {} other {}} {z}'),
    { args: { n: 'plural', w: 'select', z: 'text' }, tags: ['em'], cases: { w: ['a', 'other'] } });
});

test('the page speaks the address\'s language, else the browser\'s first supported one, else English', () => {
  assert.equal(pageLanguage('?lang=es', ['zh-CN']), 'es');
  assert.equal(pageLanguage('?lang=xx', ['de-DE', 'zh-Hans-CN', 'es']), 'zh');
  assert.equal(pageLanguage('', ['es-MX', 'en']), 'es');
  assert.equal(pageLanguage('', ['de', 'fr']), 'en');
  assert.equal(pageLanguage('', []), 'en');
  assert.equal(pageLanguage('?lang=ar-XB', ['es']), 'ar-XB');
  assert.equal(pageLanguage('', ['ar-XB', 'es']), 'es', 'the pseudo-locale only comes from the address');
  assert.equal(supportedLanguage('ZH_tw'), 'zh');
  assert.equal(supportedLanguage(''), null);
  assert.equal(addressWithLanguage('http://h/p/?lang=en#text=a&layer=1', 'zh'), 'http://h/p/?lang=zh#text=a&layer=1');
});
