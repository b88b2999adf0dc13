// A few DOM helpers: element building, money, dates, and forms whose API errors are shown next
// to the field they are about.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Minor units to "12.34" (amounts are int64 minor units on the wire).
export function money(minor) {
  if (minor === undefined || minor === null) return '—';
  const n = Number(minor);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

// "12.34" to 1234, exactly (no floating point); null when malformed.
export function parseMoney(text) {
  const m = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text || '');
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

export function day(iso) {
  return iso ? iso.slice(0, 10) : '—';
}

let idCounter = 0;
// A labelled input with room for its error: {name} is the API field it maps to.
export function field(label, input, { name, hint } = {}) {
  const id = input.id || `f${++idCounter}`;
  input.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const describedBy = [];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    describedBy.push(hintEl.id);
  }
  describedBy.push(error.id);
  input.setAttribute('aria-describedby', describedBy.join(' '));
  return h('div', { class: 'field', dataset: { field: name || input.name || '' } },
    h('label', { for: id }, label), input, hintEl, error);
}

export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

// Shows an API error next to the field it names (the field's API name appearing in the error's
// details or message), else next to `fallback` (a field name), else at the top of the form.
export function showError(form, err, fallback) {
  clearErrors(form);
  const text = [err.message, err.details].filter(Boolean).join(': ');
  const haystack = `${err.details || ''} ${err.message || ''}`;
  let best = null;
  for (const f of form.querySelectorAll('.field[data-field]')) {
    const name = f.dataset.field;
    if (!name) continue;
    const leaf = name.split('.').pop();
    if (haystack.includes(name) || new RegExp(`\\b${leaf}\\b`).test(haystack)) {
      if (!best || name.length > best.dataset.field.length) best = f;
    }
  }
  if (!best && fallback) best = form.querySelector(`.field[data-field="${fallback}"]`);
  const target = best ? best.querySelector('.field-error') : form.querySelector('.form-error');
  if (target) {
    target.textContent = text;
    target.hidden = false;
  }
  if (best) {
    const input = best.querySelector('input, select, textarea');
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
  }
  return best;
}

export function formError() {
  return h('p', { class: 'field-error form-error', role: 'alert', hidden: true });
}

export function table(columns, rows, { caption } = {}) {
  return h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length }, 'None yet.'))
      : rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.value(r)))))));
}

export function status(text) {
  return h('p', { class: 'status', role: 'status' }, text);
}

// Replaces `el`'s children with `children` (nested arrays flattened, null and false skipped).
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
