// The demo store: a pretend shop over the same /v1 API a checkout calls. Pick a customer, fill
// a cart, watch qualifying promotions appear, enter codes, see why each incentive applies, is
// skipped or is inapplicable, then redeem and roll back. Every call shows in the API panel.
import { api, currentSession, onCall, listAll, ApiError } from '/dashboard/lib/api.js';
import { h, mount, money, field, status } from '/dashboard/lib/ui.js';

const main = document.getElementById('main');
const state = { campaignNames: {}, customer: null, cart: new Map(), codes: [], products: [], customers: [], tiers: [], last: null, redemption: null };
const callsList = h('div', { class: 'calls' });
let callCount = 0;

onCall((c) => {
  callCount += 1;
  callsList.prepend(h('details', { dataset: { call: String(callCount) } },
    h('summary', {}, `${c.method} ${c.path} → ${c.status} (${c.ms} ms)`),
    c.request !== undefined ? [h('p', {}, 'Request'), h('pre', {}, JSON.stringify(c.request, null, 2))] : null,
    h('p', {}, 'Response'), h('pre', {}, typeof c.response === 'string' ? c.response : JSON.stringify(c.response, null, 2))));
  while (callsList.children.length > 40) callsList.lastChild.remove();
});

function order() {
  const items = [];
  let amount = 0;
  for (const [id, qty] of state.cart) {
    const p = state.products.find((x) => x.id === id);
    const line = (p.price || 0) * qty;
    amount += line;
    items.push({ product_id: p.id, source_id: p.source_id, quantity: qty, price: p.price || 0, amount: line });
  }
  return { amount, items };
}

// An explain trace in plain words.
function plain(r) {
  const failed = (r.explain || []).filter((s) => !s.passed);
  const because = failed.map((s) => {
    if (s.name && s.expected !== undefined) {
      return `${s.name} is ${JSON.stringify(s.actual)}, the rule wants ${s.operator.replace('$', '').replace(/_/g, ' ')} ${JSON.stringify(s.expected)}`;
    }
    // "exclusion_rules_not_met: #1 of 2 ...": the key is already said by the message.
    return (s.detail || s.step).replace(/^[a-z_]+: /, '');
  });
  const message = r.result?.details?.message || r.result?.error?.error?.message || r.result?.error?.message || '';
  return [message, ...because].filter(Boolean).join(' — ');
}

function redeemableName(r) {
  if (r.object === 'voucher') return `Code ${r.id}`;
  const tier = state.tiers.find((t) => t.id === r.id);
  const campaign = tier && state.campaignNames[tier.campaign?.id || tier.campaign_id];
  return tier ? `${campaign || 'Promotion'}: ${tier.name}` : r.id;
}

let generation = 0;  // a newer recalculation wins over one still in flight

async function recalc() {
  const mine = ++generation;
  const view = document.getElementById('result');
  if (!view) return;
  // Until this recalculation ends, nothing stale can be redeemed.
  state.last = null;
  const button = document.getElementById('redeem');
  if (button) button.disabled = true;
  try {
    await recalculate(view, mine);
  } catch (e) {
    if (mine !== generation) return;
    mount(view, h('p', { class: 'field-error', role: 'alert' }, e instanceof ApiError ? `${e.message}: ${e.details}` : String(e)));
  }
}

async function recalculate(view, mine) {
  const o = order();
  if (!state.customer || o.items.length === 0) {
    mount(view, status('Add products to the cart to see promotions.'));
    return;
  }
  const customer = { id: state.customer };
  // The reference answers 5 redeemables by default; 50 is its largest page.
  const q = await api('POST', '/v1/qualifications', { customer, order: o, options: { limit: 50 } });
  const qualifying = q.redeemables.data;
  const tiersIn = qualifying.filter((r) => r.object === 'promotion_tier');
  const redeemables = [...tiersIn.map((r) => ({ object: 'promotion_tier', id: r.id })),
    ...state.codes.map((code) => ({ object: 'voucher', id: code }))];
  const lines = [];
  let v = null;
  if (redeemables.length) {
    v = await api('POST', '/v1/validations', { customer, order: o, redeemables, options: { expand: ['explain'] } });
    const seen = new Set();
    for (const r of [...v.redeemables, ...(v.skipped_redeemables || []), ...(v.inapplicable_redeemables || [])]) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      lines.push(r);
    }
  }
  // Promotions that do not qualify: each checked alone, for the reason.
  for (const t of state.tiers) {
    if (tiersIn.some((r) => r.id === t.id)) continue;
    const alone = await api('POST', '/v1/validations', { customer, order: o, redeemables: [{ object: 'promotion_tier', id: t.id }], options: { expand: ['explain'] } });
    const r = alone.redeemables[0] || alone.inapplicable_redeemables?.[0];
    if (r) lines.push({ ...r, status: r.status === 'APPLICABLE' ? 'NOT_SENT' : r.status });
  }
  if (mine !== generation) return;
  // Redeem what applies: skipped and inapplicable incentives are left out.
  const applicable = v && v.valid ? v.redeemables.filter((r) => r.status === 'APPLICABLE').map((r) => ({ object: r.object, id: r.id })) : [];
  state.last = { customer, order: o, redeemables: applicable };
  const ord = v?.order || { amount: o.amount, total_discount_amount: 0, total_amount: o.amount };
  const applied = (r) => {
    const found = ord.redeemables?.find?.((x) => x.id === r.id);
    return found?.order?.total_applied_discount_amount ?? r.order?.total_applied_discount_amount ?? r.order?.total_discount_amount ?? null;
  };
  mount(view,
    h('h2', {}, 'Promotions you qualify for'),
    qualifying.length ? h('ul', { id: 'qualifying' }, qualifying.map((r) => h('li', {},
      r.object === 'promotion_tier' ? `${r.campaign_name || ''}: ${r.name || r.banner || r.id} (applied automatically)` : `${r.campaign_name || r.name}: has codes to publish or enter`)))
      : status('Nothing qualifies yet.'),
    h('h2', {}, 'Your order'),
    h('table', { class: 'totals' }, h('caption', { class: 'sr-only' }, 'Order totals'), h('tbody', {},
      h('tr', {}, h('th', { scope: 'row' }, 'Subtotal'), h('td', { id: 'subtotal' }, money(ord.amount))),
      h('tr', {}, h('th', { scope: 'row' }, 'Discount'), h('td', { id: 'discount' }, `−${money(ord.total_discount_amount || 0)}`)),
      h('tr', {}, h('th', { scope: 'row' }, 'To pay'), h('td', { id: 'total' }, money(ord.total_amount ?? ord.amount))))),
    h('h2', {}, 'Why each incentive applies or not'),
    lines.length ? h('ul', { class: 'explain', id: 'explain' }, lines.map((r) => {
      const kind = r.status === 'APPLICABLE' ? 'applied' : r.status === 'SKIPPED' ? 'skipped' : 'inapplicable';
      const what = r.status === 'APPLICABLE' ? `Applied${applied(r) !== null ? `: −${money(applied(r))}` : ''}`
        : r.status === 'SKIPPED' ? 'Skipped' : r.status === 'NOT_SENT' ? 'Qualifies on its own, not sent with the others' : 'Not applicable';
      return h('li', { class: `line-${kind}`, dataset: { status: r.status, id: r.id } },
        h('strong', {}, `${redeemableName(r)} — ${what}`), r.status === 'APPLICABLE' || r.status === 'NOT_SENT' ? '' : `: ${plain(r)}`);
    })) : status('No incentives in play.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'redeem', disabled: applicable.length === 0, onclick: redeem }, 'Redeem'),
      h('button', { type: 'button', class: 'secondary', id: 'rollback', disabled: !state.redemption, onclick: rollback }, 'Roll back last redemption')));
}

async function redeem() {
  const out = document.getElementById('redeem-result');
  const last = state.last;
  if (!last) return;
  document.getElementById('redeem').disabled = true;  // one click, one redemption
  state.last = null;
  try {
    const r = await api('POST', '/v1/redemptions', { customer: last.customer, order: last.order, redeemables: last.redeemables });
    state.redemption = r.parent_redemption ? { id: r.parent_redemption.id, stacked: true } : { id: r.redemptions?.[0]?.id || r.id, stacked: false };
    const discount = r.order?.total_applied_discount_amount ?? r.order?.total_discount_amount ?? 0;
    mount(out, h('p', { class: 'ok', role: 'status', id: 'redeemed' }, `Redeemed (${state.redemption.id}): −${money(discount)}.`));
  } catch (e) {
    mount(out, h('p', { class: 'field-error', role: 'alert' }, e instanceof ApiError ? `${e.message}: ${e.details}` : String(e)));
  }
  await recalc();  // the codes' counters moved: what applies now
}

async function rollback() {
  const out = document.getElementById('redeem-result');
  try {
    const path = state.redemption.stacked ? `/v1/redemptions/${state.redemption.id}/rollbacks` : `/v1/redemptions/${state.redemption.id}/rollback`;
    await api('POST', path, { reason: 'demo store' });
    mount(out, h('p', { class: 'ok', role: 'status', id: 'rolled-back' }, `Rolled back ${state.redemption.id}.`));
    state.redemption = null;
  } catch (e) {
    mount(out, h('p', { class: 'field-error', role: 'alert' }, e instanceof ApiError ? `${e.message}: ${e.details}` : String(e)));
  }
  await recalc();
}

function cartView() {
  const rows = [...state.cart].map(([id, qty]) => {
    const p = state.products.find((x) => x.id === id);
    return h('tr', {}, h('td', {}, p.name), h('td', {}, String(qty)), h('td', {}, money(p.price * qty)),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove one ${p.name}`, onclick: () => change(id, -1) }, '−')));
  });
  return h('table', { id: 'cart' }, h('caption', {}, 'Cart'),
    h('thead', {}, h('tr', {}, ['Product', 'Quantity', 'Amount', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 4 }, 'Empty.'))));
}

function change(id, delta) {
  const qty = (state.cart.get(id) || 0) + delta;
  if (qty <= 0) state.cart.delete(id);
  else state.cart.set(id, qty);
  document.getElementById('cart').replaceWith(cartView());
  recalc();
}

async function start() {
  const session = await currentSession();
  if (!session) {
    mount(main, h('h1', {}, 'Demo store'), h('p', {}, 'Sign in on the ', h('a', { href: '/dashboard/' }, 'dashboard'), ' first, then come back.'));
    return;
  }
  const [customers, products, tiers] = await Promise.all([
    listAll('/v1/customers', 'customers', 200), listAll('/v1/products', 'products', 200),
    api('GET', '/v1/promotions/tiers?limit=100').then((r) => r.tiers || r.data || []).catch(() => [])]);
  for (const c of await listAll('/v1/campaigns?campaign_type=PROMOTION', 'campaigns', 200)) state.campaignNames[c.id] = c.name;
  Object.assign(state, { customers, products: products.filter((p) => p.price !== null && p.price !== undefined), tiers });
  state.customer = customers[0]?.id || null;
  const who = h('select', { name: 'customer', onchange: (e) => { state.customer = e.target.value; recalc(); } },
    customers.map((c) => h('option', { value: c.id }, c.name || c.source_id)));
  const code = h('input', { name: 'code', autocomplete: 'off' });
  const codeError = h('p', { class: 'field-error', role: 'alert', hidden: true, id: 'code-error' });
  const codes = h('ul', { id: 'codes' });
  const showCodes = () => mount(codes, ...state.codes.map((c) => h('li', {}, h('code', {}, c), ' ',
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove code ${c}`, onclick: () => { state.codes = state.codes.filter((x) => x !== c); showCodes(); recalc(); } }, 'Remove'))));
  const codeForm = h('form', { class: 'panel', onsubmit: async (ev) => {
    ev.preventDefault();
    codeError.hidden = true;
    const value = code.value.trim();
    if (!value) {
      codeError.textContent = 'Type a code first.';
      codeError.hidden = false;
      return;
    }
    try {
      await api('GET', `/v1/vouchers/${encodeURIComponent(value)}`);
    } catch (e) {
      codeError.textContent = e instanceof ApiError ? `${e.message}: ${e.details}` : String(e);
      codeError.hidden = false;
      code.setAttribute('aria-invalid', 'true');
      return;
    }
    code.removeAttribute('aria-invalid');
    if (!state.codes.includes(value)) state.codes.push(value);
    code.value = '';
    showCodes();
    await recalc();
  } }, field('Code', code, { name: 'code' }), codeError, h('button', { type: 'submit', id: 'apply-code' }, 'Apply code'), codes);
  code.setAttribute('aria-describedby', 'code-error');
  mount(main,
    h('h1', {}, 'Demo store'),
    h('p', { class: 'hint' }, 'A pretend shop over the real API: every request is in the API calls panel below. Amounts are in the project currency.'),
    h('div', { class: 'store' },
      h('section', { 'aria-labelledby': 'shop-title' },
        h('h2', { id: 'shop-title' }, 'Shop'),
        field('Customer', who, { name: 'customer' }),
        h('div', { class: 'products' }, state.products.map((p) => h('div', { class: 'product' },
          h('strong', {}, p.name), h('span', {}, money(p.price)),
          h('button', { type: 'button', 'aria-label': `Add ${p.name}`, onclick: () => change(p.id, 1) }, 'Add to cart')))),
        cartView(), codeForm),
      h('section', { 'aria-labelledby': 'checkout-title' }, h('h2', { id: 'checkout-title' }, 'Checkout'), h('div', { id: 'result' }),
        h('div', { id: 'redeem-result', 'aria-live': 'polite' }))),
    h('section', { 'aria-labelledby': 'calls-title' }, h('h2', { id: 'calls-title' }, 'API calls'), callsList));
  await recalc();
}

start().catch((e) => {
  mount(main, h('h1', {}, 'Demo store'), h('p', { class: 'field-error', role: 'alert' }, String(e.message || e)));
});
