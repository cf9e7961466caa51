// Message formatting: the subset of ICU MessageFormat the catalogs use, with plurals and numbers
// through Intl. Pure functions of (message, params, locale), so Node tests run them as they are.
//
//   {name}                                   the parameter as text
//   {n, number}                              Intl.NumberFormat (grouping, decimal mark)
//   {n, plural, =0 {…} one {# step} other {# steps}}   Intl.PluralRules; # is n, formatted
//   {x, select, cpu {…} webgpu {…} other {…}}          the case named by x, else other
//   <code>…</code> <strong> <em> <kbd> <sub> <sup>     markup, as elements by formatNodes only
//
// Apostrophes are plain text (no ICU quoting); braces and the tags above are syntax.
// Parsing is cached per message.

/** Tags a message may contain (formatNodes makes them elements; format keeps their text). */
export const MARKUP_TAGS = ['code', 'strong', 'em', 'kbd', 'sub', 'sup'];

const parsed = new Map();

/**
 * Parses a message into parts: strings, { arg, type, style?, cases? } and { tag, parts }.
 * @param {string} message
 * @returns {Array<string|object>}
 * @throws {SyntaxError} on unbalanced braces or tags, or an unknown argument type
 */
export function parseMessage(message) {
  let parts = parsed.get(message);
  if (!parts) {
    const state = { text: message, at: 0 };
    parts = parseParts(state, null);
    if (state.at < message.length) throw new SyntaxError(`unexpected "${message[state.at]}" at ${state.at} in: ${message}`);
    parsed.set(message, parts);
  }
  return parts;
}

function parseParts(state, closing) {
  const parts = [];
  let literal = '';
  const flush = () => { if (literal) parts.push(literal); literal = ''; };
  while (state.at < state.text.length) {
    const c = state.text[state.at];
    if (c === '}' && closing === '}') break;
    if (c === '<') {
      const end = /^<\/([a-z]+)>/.exec(state.text.slice(state.at));
      if (end) {
        if (closing !== end[1]) throw new SyntaxError(`unexpected </${end[1]}> in: ${state.text}`);
        break;
      }
      const open = /^<([a-z]+)>/.exec(state.text.slice(state.at));
      if (open && MARKUP_TAGS.includes(open[1])) {
        flush();
        state.at += open[0].length;
        const inner = parseParts(state, open[1]);
        const close = `</${open[1]}>`;
        if (!state.text.startsWith(close, state.at)) throw new SyntaxError(`<${open[1]}> is not closed in: ${state.text}`);
        state.at += close.length;
        parts.push({ tag: open[1], parts: inner });
        continue;
      }
    }
    if (c === '{') {
      flush();
      parts.push(parseArgument(state));
      continue;
    }
    if (c === '}') throw new SyntaxError(`unbalanced "}" in: ${state.text}`);
    if (c === '#' && closing === '}' && state.inPlural) {
      flush();
      parts.push({ arg: '#', type: 'pound' });
      state.at += 1;
      continue;
    }
    literal += c;
    state.at += 1;
  }
  if (closing !== null && state.at >= state.text.length) throw new SyntaxError(`missing closing ${closing === '}' ? '}' : `</${closing}>`} in: ${state.text}`);
  flush();
  return parts;
}

function parseArgument(state) {
  const head = /^\{\s*([A-Za-z0-9_]+)\s*(?:,\s*(number|plural|select)\s*(?:,\s*([A-Za-z]+)\s*)?)?\s*([},])/.exec(state.text.slice(state.at));
  if (!head) throw new SyntaxError(`bad argument at ${state.at} in: ${state.text}`);
  const [whole, arg, type = 'text', style, end] = head;
  state.at += whole.length;
  if (end === '}') {
    if (type === 'plural' || type === 'select') throw new SyntaxError(`${type} without cases in: ${state.text}`);
    return { arg, type, style };
  }
  if (type !== 'plural' && type !== 'select') throw new SyntaxError(`unexpected "," after {${arg}} in: ${state.text}`);
  const cases = {};
  for (;;) {
    const label = /^\s*(=\d+|[a-z]+)\s*\{/.exec(state.text.slice(state.at));
    if (!label) break;
    state.at += label[0].length;
    const outer = state.inPlural;
    state.inPlural = type === 'plural' || outer;
    cases[label[1]] = parseParts(state, '}');
    state.inPlural = outer;
    state.at += 1; // the case's "}"
  }
  const close = /^\s*\}/.exec(state.text.slice(state.at));
  if (!close) throw new SyntaxError(`bad ${type} case at ${state.at} in: ${state.text}`);
  state.at += close[0].length;
  if (!cases.other) throw new SyntaxError(`${type} without an "other" case in: ${state.text}`);
  return { arg, type, cases };
}

/**
 * The names of a message's parameters with their types, e.g. { n: 'plural', name: 'text' }, and
 * its markup tags: what a translation must keep (web/tests/i18n-catalog.test.mjs).
 * @param {string} message
 */
export function messageShape(message) {
  const args = {};
  const tags = [];
  const cases = {};
  const walk = (parts) => {
    for (const part of parts) {
      if (typeof part === 'string') continue;
      if (part.tag) { tags.push(part.tag); walk(part.parts); continue; }
      if (part.type === 'pound') continue;
      args[part.arg] = part.type;
      if (part.cases) {
        if (part.type === 'select') cases[part.arg] = Object.keys(part.cases).sort();
        for (const inner of Object.values(part.cases)) walk(inner);
      }
    }
  };
  walk(parseMessage(message));
  return { args, tags: tags.sort(), cases };
}

/**
 * Formats a message to text (markup tags dropped, their text kept).
 * @param {string} message
 * @param {Record<string, unknown>} params
 * @param {string} locale a BCP 47 tag for Intl
 * @param {(text: string) => string} [mapText] applied to the message's own text (the pseudo-locale)
 */
export function formatMessage(message, params, locale, mapText = (s) => s) {
  return render(parseMessage(message), params, locale, mapText, null).join('');
}

/**
 * Formats a message to strings and elements (for messages with markup), built with `make(tag,
 * children)`; never HTML parsing, so a parameter is always text.
 */
export function formatNodes(message, params, locale, make, mapText = (s) => s) {
  return render(parseMessage(message), params, locale, mapText, make);
}

function render(parts, params, locale, mapText, make, pound = null) {
  const out = [];
  for (const part of parts) {
    if (typeof part === 'string') { out.push(mapText(part)); continue; }
    if (part.tag) {
      const inner = render(part.parts, params, locale, mapText, make, pound);
      out.push(make ? make(part.tag, inner) : inner.join(''));
      continue;
    }
    if (part.type === 'pound') { out.push(numberText(pound, locale)); continue; }
    const value = params[part.arg];
    if (value === undefined) throw new RangeError(`missing parameter "${part.arg}"`);
    if (part.type === 'text') out.push(String(value));
    else if (part.type === 'number') out.push(numberText(value, locale, part.style));
    else if (part.type === 'plural') {
      const exact = part.cases[`=${value}`];
      const chosen = exact ?? part.cases[pluralRules(locale).select(Number(value))] ?? part.cases.other;
      out.push(...render(chosen, params, locale, mapText, make, value));
    } else {
      out.push(...render(part.cases[String(value)] ?? part.cases.other, params, locale, mapText, make, pound));
    }
  }
  return make ? out : [out.join('')];
}

const numberFormats = new Map();
const plurals = new Map();

/** The Intl options of each number style a message may name. */
const NUMBER_STYLES = {
  '': { maximumFractionDigits: 6 },
  integer: { maximumFractionDigits: 0 },
  percent: { style: 'percent', maximumFractionDigits: 1 },
};

/**
 * An Intl.NumberFormat for `locale` and `options`, made once and kept: making one costs far more
 * than formatting with it, and views format a number per table cell.
 * @param {string} locale
 * @param {Intl.NumberFormatOptions} options
 */
export function numberFormat(locale, options) {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

/** A number as the locale writes it; `style` 'integer' rounds, 'percent' multiplies by 100. */
export function numberText(value, locale, style) {
  return numberFormat(locale, NUMBER_STYLES[style] ?? NUMBER_STYLES['']).format(Number(value));
}

function pluralRules(locale) {
  let rules = plurals.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    plurals.set(locale, rules);
  }
  return rules;
}
