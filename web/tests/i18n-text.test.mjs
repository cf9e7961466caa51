// No user-facing words outside the catalogs: the scan of the page's JavaScript and HTML
// (web/tests/i18n-scan.mjs) finds none. A failure lists file, line and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan, literals } from './i18n-scan.mjs';

test('the scan finds prose in literals and skips comments, regular expressions and keys', () => {
  const found = literals("// 'not this one'\nconst a = 'Two words'; /* 'nor this' */\nconst r = /it's here/; f(`x ${'y'} z`)\nt('train.run.start');").map((l) => l.text);
  assert.deepEqual(found, ['Two words', 'x   z', 'train.run.start']);
});

test('no user-facing text is written outside web/locales', () => {
  const findings = scan().map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text)}`);
  assert.deepEqual(findings, []);
});
