// The widget's pure logic in Node: attribute validation and its messages, model URL rules, and
// the Share button's snippets (escaping included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAttributes, unknownNames, ATTRIBUTES } from '../widget/attributes.js';
import { checkModelUrl } from '../widget/model-url.js';
import { shareTexts, widgetAttributes } from '../widget/snippet.js';
import { useLanguage } from '../i18n/i18n.js';

await useLanguage('en', { setDocument: false }); // the messages under test come from the catalogs

const PAGE = 'https://blog.example.com/posts/attention.html';
const CONTEXT = { base: PAGE, allowedOrigins: ['https://blog.example.com', 'https://models.example.org'] };
const LIMITS = { nLayer: 2, nHead: 4, vocabSize: 96 };
const read = (attrs, limits) => readAttributes((n) => attrs[n] ?? null, { ...CONTEXT, limits });

test('absent attributes take their defaults; good values are parsed', () => {
  const none = read({});
  assert.deepEqual(none.errors, []);
  assert.equal(none.props.view, 'attention');
  assert.equal(none.props.text, null, 'the text defaults to the model\'s example');
  assert.equal(none.props.layout, 'compact', 'the step-by-step view shows one step at a time');
  const r = read({ view: 'next-token', text: 'hi <b>', layer: '1', head: '3', temperature: '0.5', 'top-k': '5', 'top-p': '.9', seed: '42', steps: '20', task: 'reverse', layout: 'full' }, LIMITS);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    { ...r.props, model: undefined },
    { view: 'next-token', text: 'hi <b>', layer: 1, head: 3, temperature: 0.5, 'top-k': 5, 'top-p': 0.9, seed: 42, model: undefined, task: 'reverse', steps: 20, layout: 'full' },
  );
});

test('bad values give one clear message each, naming the attribute, the value and what is allowed', () => {
  const r = read({ view: 'heatmap', layer: 'two', head: '-1', temperature: '3', 'top-p': '0', text: '' });
  assert.equal(r.errors.length, 6);
  assert.match(r.errors[0], /view="heatmap" is not one of tokens, attention, attention-grid, cross-attention, head-steps, next-token, trainer/);
  assert.match(r.errors[1], /text is empty/);
  assert.match(r.errors[2], /layer="two" is not a whole number at least 0/);
  assert.match(r.errors[3], /head="-1" is not a whole number/);
  assert.match(r.errors[4], /temperature="3" is out of range: it must be from 0 to 2/);
  assert.match(r.errors[5], /top-p="0" is out of range/);
});

test('layer, head and top-k are checked against the model once it is known', () => {
  assert.deepEqual(read({ layer: '7' }).errors, [], 'syntax only before the model loads');
  const r = read({ layer: '7', head: '4', 'top-k': '97' }, LIMITS);
  assert.deepEqual(r.errors, [
    'layer="7" is out of range: it must be from 0 to 1 (this model has 2 layers).',
    'head="4" is out of range: it must be from 0 to 3 (this model has 4 heads per layer).',
    'top-k="97" is out of range: it must be from 0 to 96 (this model has 96 tokens).',
  ]);
});

test('a text longer than 2000 characters is refused, and the message does not repeat it', () => {
  const r = read({ text: 'x'.repeat(2001) });
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /text has 2001 characters; a widget takes at most 2000/);
  const long = read({ view: 'y'.repeat(500) });
  assert.ok(long.errors[0].length < 200, 'a long bad value is cut in the message');
});

test('model URLs: http(s) only, this site or an allowed origin, no credentials', () => {
  assert.deepEqual(checkModelUrl('models/tiny.safetensors', CONTEXT), { url: 'https://blog.example.com/posts/models/tiny.safetensors' });
  assert.deepEqual(checkModelUrl('https://models.example.org/a.safetensors#x', CONTEXT), { url: 'https://models.example.org/a.safetensors' });
  assert.match(checkModelUrl('javascript:alert(1)', CONTEXT).error, /only http and https/);
  assert.match(checkModelUrl('data:application/octet-stream;base64,AAAA', CONTEXT).error, /only http and https/);
  assert.match(checkModelUrl('https://evil.example.net/m.safetensors', CONTEXT).error, /https:\/\/evil.example.net is not allowed/);
  assert.match(checkModelUrl('https://u:p@blog.example.com/m', CONTEXT).error, /user name or password/);
  assert.match(checkModelUrl(`https://blog.example.com/${'a'.repeat(3000)}`, CONTEXT).error, /longer than 2048/);
  assert.match(read({ model: 'javascript:alert(1)' }).errors[0], /^model="javascript:alert\(1\)": only http and https/);
});

test('unknown names are reported (the iframe embed\'s address)', () => {
  assert.deepEqual(unknownNames(['view', 'txt', 'layer', 'colour']), ['txt', 'colour']);
  assert.equal(new Set(ATTRIBUTES.map((a) => a.name)).size, ATTRIBUTES.length);
});

test('Share: the playground\'s state becomes a link, an escaped widget snippet and an iframe snippet', () => {
  const hash = '#text=say+%22hi%22+%3Cscript%3E&layer=1&head=2&view=output&temp=0.5&topk=0&topp=1&seed=1';
  const t = shareTexts(hash, 'https://host.example/play/index.html#old');
  assert.equal(t.link, `https://host.example/play/index.html${hash}`);
  assert.equal(
    t.widget,
    '<script type="module" src="https://host.example/play/dist/transformer-playground.js"></script>\n' +
      '<transformer-playground view="next-token" text="say &quot;hi&quot; &lt;script&gt;" temperature="0.5"></transformer-playground>',
  );
  assert.match(t.iframe, /^<iframe src="https:\/\/host.example\/play\/embed.html#view=next-token&amp;text=say\+%22hi%22\+%3Cscript%3E&amp;temperature=0.5" title="Transformer Playground: next-token"/);
  assert.deepEqual(widgetAttributes(new URLSearchParams('view=head&layer=1&head=0&text=a')), [['view', 'head-steps'], ['text', 'a'], ['layer', '1'], ['head', '0']]);
  assert.deepEqual(widgetAttributes(new URLSearchParams('view=tokens&layer=1&text=a')), [['view', 'tokens'], ['text', 'a']]);
});
