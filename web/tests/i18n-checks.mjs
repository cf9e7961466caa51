// Checks of a page in a language, shared by the i18n browser tests: text that no catalog wrote
// (seen in the pseudo-locale) and layout problems (overlapping controls, a page wider than the
// window).

/**
 * What the page shows that no catalog wrote (pseudo-locale only): visible text nodes with two
 * ASCII letters in a row and no accented letter, selected options, and user-facing attributes —
 * outside translate="no", code, kbd, samp, textareas and inputs (the reader's own text). Walks
 * into widgets' shadow roots.
 */
export function unaccentedText(page) {
  return page.evaluate(() => {
    const ASCII_WORD = /[A-Za-z]{2,}/;
    const ACCENTED = /[\u00C0-\u024F\u1E00-\u1EFF]/;
    const DATA = 'code, kbd, samp, pre, textarea, script, style, [translate="no"], .visually-hidden-data';
    const found = [];
    const isData = (node) => {
      for (let e = node; e; e = e.parentElement ?? e.getRootNode()?.host) {
        if (e.nodeType === 1 && e.matches(DATA)) return true;
      }
      return false;
    };
    const visible = (e) => e.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: false });
    const check = (text, where) => {
      const t = text.trim();
      if (ASCII_WORD.test(t) && !ACCENTED.test(t)) found.push(`${where}: ${t.slice(0, 100)}`);
    };
    const walk = (root) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const parent = n.parentElement;
        if (!parent || !visible(parent) || isData(parent)) continue;
        check(n.textContent, `<${parent.localName}${parent.id ? `#${parent.id}` : ''}${parent.className && typeof parent.className === 'string' ? `.${parent.className.split(' ')[0]}` : ''}>`);
      }
      for (const e of root.querySelectorAll('*')) {
        if (isData(e)) continue;
        for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-roledescription']) {
          const v = e.getAttribute(name);
          if (v) check(v, `<${e.localName}${e.id ? `#${e.id}` : ''} ${name}>`);
        }
        if (e.localName === 'select' && visible(e)) for (const o of e.selectedOptions) if (!isData(o)) check(o.textContent, `<select#${e.id}> option`);
        if (e.shadowRoot) walk(e.shadowRoot);
      }
    };
    walk(document.body);
    return [...new Set(found)];
  });
}

/**
 * Pairs of visible controls, headings and labels whose boxes overlap (more than 2 px each way),
 * and whether the page is wider than the window.
 */
export function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    if (document.documentElement.scrollWidth > innerWidth + 1) problems.push(`page is ${document.documentElement.scrollWidth} px wide in a ${innerWidth} px window`);
    const items = [...document.querySelectorAll('button, select, input, label, h1, h2, h3, legend, summary, .notice, .hint, .lede, p')]
      .filter((e) => !e.closest('[hidden], dialog:not([open]), .visually-hidden, .skip-link') && e.checkVisibility({ visibilityProperty: true }))
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 1 && r.height > 1);
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i];
        const b = items[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 2 && h > 2) {
          const name = (e) => `${e.localName}${e.id ? `#${e.id}` : ''}(${e.textContent.trim().slice(0, 30)})`;
          problems.push(`${name(a.e)} overlaps ${name(b.e)}`);
        }
      }
    }
    return problems;
  });
}
