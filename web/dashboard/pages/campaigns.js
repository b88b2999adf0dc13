// Campaigns: the searchable list, one campaign's page, and the create/edit form.
import { api, listAll, query, ApiError } from '../lib/api.js';
import { h, mount, money, parseMoney, day, field, formError, showError, clearErrors, table, status } from '../lib/ui.js';
import { lineChart, paintSwatches } from '../lib/charts.js';

const TYPES = [['DISCOUNT_COUPONS', 'Discount coupons'], ['PROMOTION', 'Automatic promotion (tiers)'],
  ['GIFT_VOUCHERS', 'Gift cards'], ['LOYALTY_PROGRAM', 'Loyalty program'], ['REFERRAL_PROGRAM', 'Referral program']];
const typeName = (t) => (TYPES.find(([k]) => k === t) || [t, t])[1];
// The API lets admins and restricted users (within their stores) create and delete campaigns;
// users edit them; viewers only read.
const canEdit = (session) => session.user.role !== 'viewer';
const canCreate = (session) => session.user.role === 'admin' || session.user.role === 'restricted';

export function campaignStatus(c) {
  if (c.creation_status && c.creation_status !== 'DONE') return ['draft', c.creation_status];
  if (!c.active) return ['off', 'Disabled'];
  const now = Date.now();
  if (c.expiration_date && Date.parse(c.expiration_date) < now) return ['off', 'Expired'];
  if (c.start_date && Date.parse(c.start_date) > now) return ['draft', 'Scheduled'];
  return ['on', 'Active'];
}

// Areas with their stores, for reach pickers and filters. A restricted user may not list areas:
// its own assignments (from the session) are what it may reach.
export async function areasWithStores(session) {
  const own = session?.user.role === 'restricted' ? session.user.assignments : null;
  if (own) {
    const areas = [...own.areas_ids, ...own.area_all_stores_ids].map((id) => ({ id, name: `Area ${id}`, stores: [] }));
    if (own.area_stores_ids.length) {
      areas.push({ id: null, name: 'Your stores', stores: own.area_stores_ids.map((id) => ({ id, name: `Store ${id}` })) });
    }
    return areas;
  }
  const areas = await listAll('/v1/areas', 'data', 100).catch(() => []);
  for (const a of areas) a.stores = await listAll(`/v1/areas/${a.id}/stores`, 'data', 100).catch(() => []);
  return areas;
}

function reachOf(c) {
  const a = c.access_settings_assignments?.data || [];
  return a.map((x) => x.area_store_id || x.area_id);
}

// Picker values of a campaign's assignments: `store:ID`, `all:AREA` (all stores of) or `area:ID`.
function reachValues(c) {
  return (c?.access_settings_assignments?.data || []).map((x) =>
    (x.area_store_id ? `store:${x.area_store_id}` : x.all_stores ? `all:${x.area_id}` : `area:${x.area_id}`));
}

function assignmentsOf(values) {
  const out = { areas_ids: [], area_stores_ids: [], area_all_stores_ids: [] };
  for (const v of values) {
    const [kind, id] = v.split(':');
    (kind === 'store' ? out.area_stores_ids : kind === 'all' ? out.area_all_stores_ids : out.areas_ids).push(id);
  }
  return out;
}
const anyAssigned = (a) => a.areas_ids.length + a.area_stores_ids.length + a.area_all_stores_ids.length > 0;

// ---------------------------------------------------------------------------------------------
export async function campaignsPage({ main, session }) {
  const [categories, areas] = await Promise.all([
    listAll('/v1/categories', 'data', 100).catch(() => []), areasWithStores(session)]);
  // The filters as submitted: paging keeps them even when the controls change meanwhile.
  const state = { page: 1, filters: null, load: 0 };
  const search = h('input', { name: 'name', type: 'search', placeholder: 'Name contains…' });
  const type = h('select', { name: 'campaign_type' }, h('option', { value: '' }, 'Any type'),
    TYPES.map(([v, l]) => h('option', { value: v }, l)));
  const active = h('select', { name: 'active' }, h('option', { value: '' }, 'Any status'),
    h('option', { value: 'true' }, 'Enabled'), h('option', { value: 'false' }, 'Disabled'));
  const category = h('select', { name: 'category_id' }, h('option', { value: '' }, 'Any category'),
    categories.map((c) => h('option', { value: c.id }, c.name)));
  const store = h('select', { name: 'store' }, h('option', { value: '' }, 'Any area or store'),
    areas.map((a) => [h('option', { value: a.id }, a.name),
      a.stores.map((s) => h('option', { value: s.id }, `${a.name} / ${s.name}`))]));
  const from = h('input', { name: 'expiration_date', type: 'date' });
  const to = h('input', { name: 'start_date', type: 'date' });
  const results = h('div', { 'aria-live': 'polite' });
  const snapshot = () => ({ name: search.value, type: type.value, active: active.value, category: category.value,
    store: store.value, from: from.value, to: to.value });
  const form = h('form', { class: 'panel', role: 'search', onsubmit: (e) => { e.preventDefault(); state.page = 1; state.filters = snapshot(); load(); } },
    h('div', { class: 'row' },
      field('Search', search, { name: 'name' }), field('Type', type), field('Status', active),
      field('Category', category), field('Area or store', store),
      field('Running after', from, { name: 'expiration_date', hint: 'ends on or after' }),
      field('Running before', to, { name: 'start_date', hint: 'starts on or before' })),
    formError(), h('button', { type: 'submit' }, 'Search'));
  mount(main, h('h1', {}, 'Campaigns'),
    canCreate(session) ? h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/campaigns/new' }, 'New campaign')) : null,
    form, results);

  async function load() {
    const mine = ++state.load;
    clearErrors(form);
    const f = state.filters || snapshot();
    // Area/store and dates are applied to the fetched page (the list API has no assignment
    // filter, and a campaign without an end date still runs after any date): ask for 100.
    const local = Boolean(f.store || f.from || f.to);
    const q = { limit: local ? 100 : 10, page: state.page, order: '-created_at', expand: 'access_settings_assignments',
      campaign_type: f.type };
    if (f.name) q['filters[name][conditions][$contains]'] = f.name;
    if (f.active) q['filters[active][conditions][$is]'] = f.active;
    if (f.category) q['filters[category_id][conditions][$is]'] = f.category;
    let r;
    try {
      r = await api('GET', `/v1/campaigns${query(q)}`);
    } catch (e) {
      if (e instanceof ApiError) { showError(form, e, 'name'); return; }
      throw e;
    }
    if (mine !== state.load) return;  // a newer search is under way
    let rows = r.campaigns;
    if (f.store) {
      const area = areas.find((a) => a.stores.some((s) => s.id === f.store));
      rows = rows.filter((c) => {
        const reach = reachOf(c);
        return reach.includes(f.store) || (area && area.id && reach.includes(area.id));
      });
    }
    if (f.from) rows = rows.filter((c) => !c.expiration_date || c.expiration_date >= `${f.from}T00:00:00`);
    if (f.to) rows = rows.filter((c) => !c.start_date || c.start_date <= `${f.to}T23:59:59.999Z`);
    const pages = Math.max(1, Math.ceil(r.total / q.limit));
    mount(results,
      h('p', { class: 'status', role: 'status' }, `${r.total} campaign${r.total === 1 ? '' : 's'}${local ? ` (${rows.length} matching the area, store or dates on this page)` : ''}`),
      table([
        { label: 'Name', value: (c) => h('a', { href: `#/campaigns/${c.id}` }, c.name) },
        { label: 'Type', value: (c) => typeName(c.campaign_type) },
        { label: 'Status', value: (c) => { const [k, t] = campaignStatus(c); return h('span', { class: `badge ${k}` }, t); } },
        { label: 'Category', value: (c) => c.categories?.[0]?.name || '—' },
        { label: 'Starts', value: (c) => day(c.start_date) },
        { label: 'Ends', value: (c) => day(c.expiration_date) },
      ], rows, { caption: 'Campaigns' }),
      h('nav', { class: 'actions', 'aria-label': 'Pages' },
        h('button', { type: 'button', class: 'secondary', disabled: state.page <= 1, onclick: () => { state.page--; load(); } }, 'Previous'),
        h('span', {}, `Page ${state.page} of ${pages}`),
        h('button', { type: 'button', class: 'secondary', disabled: !r.has_more && state.page >= pages, onclick: () => { state.page++; load(); } }, 'Next')));
  }
  await load().catch(() => {});
}

// ---------------------------------------------------------------------------------------------
export async function campaignPage({ main, params, session }) {
  const id = decodeURIComponent(params[0]);
  const c = await api('GET', `/v1/campaigns/${encodeURIComponent(id)}`);
  const [k, statusText] = campaignStatus(c);
  const notice = h('div', { 'aria-live': 'polite' });
  const body = h('div');
  const write = canEdit(session);
  const create = canCreate(session);
  const act = (label, fn, cls = 'secondary') => h('button', { type: 'button', class: cls, onclick: async () => {
    try {
      await fn();
    } catch (e) {
      mount(notice, h('p', { class: 'field-error', role: 'alert' }, e instanceof ApiError ? `${e.message}: ${e.details}` : String(e)));
    }
  } }, label);
  const actions = h('div', { class: 'actions' },
    write ? h('a', { class: 'button secondary', href: `#/campaigns/${c.id}/edit` }, 'Edit') : null,
    write ? act(c.active ? 'Disable' : 'Enable', async () => {
      await api('POST', `/v1/campaigns/${c.id}/${c.active ? 'disable' : 'enable'}`);
      location.hash = `#/campaigns/${c.id}?r=${Date.now()}`;
      location.hash = `#/campaigns/${c.id}`;
    }) : null,
    create ? act('Clone', async () => {
      const copy = await api('POST', `/v1/campaigns/${c.id}/clone`, { name: `${c.name} (copy)` });
      location.hash = `#/campaigns/${copy.id}`;
    }) : null,
    act('Export codes (CSV)', () => exportCodes(c, notice)),
    create ? act('Delete to bin', async () => {
      if (!confirm(`Move "${c.name}" to the bin? Its name and codes stay reserved until purged.`)) return;
      await api('DELETE', `/v1/campaigns/${c.id}`);
      location.hash = '#/bin';
    }, 'danger') : null,
    create ? act('Delete permanently', async () => {
      if (!confirm(`Delete "${c.name}" and all its codes for good?`)) return;
      await api('DELETE', `/v1/campaigns/${c.id}?force=true`);
      location.hash = '#/campaigns';
    }, 'danger') : null);
  const tabs = [['Summary', summaryTab], ['Codes', codesTab], ['Rules', rulesTab], ['Tiers', tiersTab],
    ['Redemptions', redemptionsTab], ['Publications', publicationsTab]];
  const tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Campaign details' });
  let shown = 0;  // a slow tab that finishes after another was chosen is not shown
  const show = async (i) => {
    const mine = ++shown;
    for (const [j, b] of [...tabBar.children].entries()) {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    }
    mount(body, status('Loading…'));
    const content = await tabs[i][1](c);
    if (mine !== shown) return;
    mount(body, content);
    paintSwatches(body);
  };
  tabs.forEach(([label], i) => tabBar.append(h('button', { type: 'button', role: 'tab', id: `tab-${i}`, 'aria-controls': 'tabpanel',
    onclick: () => show(i),
    onkeydown: (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const n = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
        tabBar.children[n].focus();
        show(n);
      }
    } }, label)));
  body.id = 'tabpanel';
  body.setAttribute('role', 'tabpanel');
  body.tabIndex = 0;
  mount(main,
    h('p', {}, h('a', { href: '#/campaigns' }, '← Campaigns')),
    h('h1', {}, c.name, ' ', h('span', { class: `badge ${k}`, dataset: { testid: 'campaign-status' } }, statusText)),
    h('p', {}, typeName(c.campaign_type), c.description ? ` — ${c.description}` : '',
      ` · ${day(c.start_date)} → ${day(c.expiration_date)}`, c.categories?.[0] ? ` · category ${c.categories[0].name}` : ''),
    actions, notice, tabBar, body);
  await show(0);
}

async function exportCodes(c, notice) {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': 'Export progress' });
  const text = status('Export scheduled…');
  mount(notice, bar, text);
  let e = await api('POST', '/v1/exports', { exported_object: 'voucher',
    parameters: { campaign_id: c.id, fields: ['code', 'voucher_type', 'value', 'discount_type', 'redemption_quantity', 'redemption_count', 'active', 'created_at'] } });
  const steps = { SCHEDULED: 10, IN_PROGRESS: 50, DONE: 100, ERROR: 100 };
  for (let i = 0; i < 120 && e.status !== 'DONE' && e.status !== 'ERROR'; i++) {
    bar.value = steps[e.status] || 10;
    text.textContent = `Export ${e.status.toLowerCase().replace('_', ' ')}…`;
    await new Promise((r) => setTimeout(r, 500));
    e = await api('GET', `/v1/exports/${e.id}`);
  }
  bar.value = 100;
  if (e.status === 'DONE') {
    mount(notice, bar, h('p', { role: 'status' }, 'Export done: ', h('a', { href: e.result.url, download: `${c.name}.csv` }, 'download the CSV')));
  } else {
    mount(notice, h('p', { class: 'field-error', role: 'alert' }, `Export failed: ${JSON.stringify(e.result)}`));
  }
}

async function summaryTab(c) {
  const s = await api('GET', `/v1/campaigns/${c.id}/summary`);
  // Newest first: a busy campaign's recent days are the ones charted.
  const reds = await listAll(`/v1/redemptions?campaign=${c.id}&order=-created_at`, 'redemptions', 1000);
  // Per day over the last 14 days: redemptions (succeeded/failed), and the discount given so far.
  const days = 14;
  const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
  const labels = Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86400000).toISOString().slice(5, 10));
  const ok = new Array(days).fill(0);
  const failed = new Array(days).fill(0);
  const burn = new Array(days).fill(0);
  const start = today - (days - 1) * 86400000;
  const given = new Array(days).fill(0);
  for (const r of reds) {
    const i = Math.floor((Date.parse(r.date) - start) / 86400000);
    if (i < 0 || i >= days) continue;
    (r.result === 'SUCCESS' ? ok : failed)[i] += 1;
    // Net of rollbacks: a rolled-back redemption gave its discount back.
    if (r.status === 'SUCCEEDED') given[i] += r.amount ?? r.order?.total_discount_amount ?? 0;
  }
  // Cumulative from what was given before the window (the summary's net total minus the window).
  const net = (s.discounted_amount || 0) - (s.rolledback_discounted_amount || 0);
  let running = net - given.reduce((a, b) => a + b, 0);
  for (let i = 0; i < days; i++) {
    running += given[i];
    burn[i] = running;
  }
  // Validations are counted per day by the server: one summary per day.
  const perDay = await Promise.all(labels.map((_, i) => {
    const d = new Date(start + i * 86400000).toISOString().slice(0, 10);
    return api('GET', `/v1/campaigns/${c.id}/summary?start_date=${d}&end_date=${d}`).catch(() => null);
  }));
  const vOk = perDay.map((x) => x?.validations_succeeded ?? 0);
  const vFailed = perDay.map((x) => x?.validations_failed ?? 0);
  return h('div', {},
    h('div', { class: 'cards' },
      ['validations', 'redemptions_succeeded', 'redemptions_failed', 'rollbacks', 'vouchers_created'].map((key) =>
        h('div', { class: 'card' }, h('div', { class: 'value' }, String(s[key] ?? 0)), h('div', { class: 'label' }, key.replace(/_/g, ' ')))),
      h('div', { class: 'card' }, h('div', { class: 'value' }, money(s.discounted_amount - s.rolledback_discounted_amount)), h('div', { class: 'label' }, 'discount given'))),
    h('div', { class: 'grid2' },
      lineChart({ title: 'Validations per day', labels, series: [{ name: 'Valid', color: '#17663a', values: vOk }, { name: 'Invalid', color: '#a4161a', values: vFailed }] }),
      lineChart({ title: 'Redemptions per day', labels, series: [{ name: 'Succeeded', color: '#17663a', values: ok }, { name: 'Failed', color: '#a4161a', values: failed }] }),
      lineChart({ title: 'Budget burn (discount given net of rollbacks, cumulative, minor units)', labels, series: [{ name: 'Discount', color: '#1f5fbf', values: burn }] })),
    h('p', { class: 'hint' }, 'Validations are counted per day (each validated incentive of this campaign; valid when it applied), written by the server every second.'));
}

async function codesTab(c) {
  const r = await api('GET', `/v1/vouchers?campaign_id=${c.id}&limit=50`);
  return table([
    { label: 'Code', value: (v) => h('code', {}, v.code) },
    { label: 'Value', value: (v) => describeValue(v) },
    { label: 'Redeemed', value: (v) => `${v.redemption?.redeemed_quantity ?? 0}${v.redemption?.quantity ? ` of ${v.redemption.quantity}` : ''}` },
    { label: 'Holder', value: (v) => v.holder_id || '—' },
    { label: 'Active', value: (v) => (v.active ? 'yes' : 'no') },
  ], r.vouchers, { caption: `Codes (${r.total})` });
}

function describeValue(v) {
  if (v.discount?.type === 'PERCENT') return `${v.discount.percent_off}% off`;
  if (v.discount?.type === 'AMOUNT') return `${money(v.discount.amount_off)} off`;
  if (v.gift) return `gift ${money(v.gift.balance ?? v.gift.amount)}`;
  if (v.loyalty_card) return `${v.loyalty_card.balance ?? v.loyalty_card.points ?? 0} points`;
  return v.type;
}

async function rulesTab(c) {
  const ids = (c.validation_rules_assignments?.data || []).map((a) => a.rule_id);
  const rules = await Promise.all(ids.map((id) => api('GET', `/v1/validation-rules/${id}`).catch(() => null)));
  return table([
    { label: 'Rule', value: (r) => r.name },
    { label: 'Conditions', value: (r) => h('pre', {}, JSON.stringify(r.rules, null, 1)) },
    { label: 'Error message', value: (r) => r.error?.message || '—' },
  ], rules.filter(Boolean), { caption: 'Validation rules' });
}

async function tiersTab(c) {
  if (c.campaign_type !== 'PROMOTION') return status('Only automatic promotions have tiers.');
  const r = await api('GET', `/v1/promotions/${c.id}/tiers`);
  return table([
    { label: 'Tier', value: (t) => t.name },
    { label: 'Banner', value: (t) => t.banner || '—' },
    { label: 'Discount', value: (t) => describeValue({ discount: t.action?.discount }) },
    { label: 'Rules', value: (t) => String(t.validation_rule_assignments?.total ?? (t.validation_rules_assignments?.total ?? 0)) },
  ], r.tiers || r.data || [], { caption: 'Tiers' });
}

async function redemptionsTab(c) {
  const r = await api('GET', `/v1/redemptions?campaign=${c.id}&limit=50&order=-created_at`);
  return table([
    { label: 'When', value: (x) => (x.date || '').replace('T', ' ').slice(0, 19) },
    { label: 'Result', value: (x) => h('span', { class: `badge ${x.result === 'SUCCESS' ? 'on' : 'off'}` }, x.status) },
    { label: 'Customer', value: (x) => x.customer?.name || x.customer_id || '—' },
    { label: 'Code', value: (x) => x.voucher?.code || x.promotion_tier?.name || '—' },
    { label: 'Failure', value: (x) => x.failure_code || '' },
  ], r.redemptions, { caption: `Redemptions (${r.total})` });
}

async function publicationsTab(c) {
  const r = await api('GET', `/v1/publications?campaign=${c.id}&limit=50`);
  return table([
    { label: 'When', value: (p) => (p.created_at || '').replace('T', ' ').slice(0, 19) },
    { label: 'Customer', value: (p) => p.customer?.name || p.customer_id },
    { label: 'Code', value: (p) => p.voucher?.code || (p.vouchers || []).join(', ') },
    { label: 'Result', value: (p) => p.result },
  ], r.publications || [], { caption: `Publications (${r.total})` });
}

// ---------------------------------------------------------------------------------------------
export async function campaignFormPage({ main, params, session }) {
  const editing = params[0] ? await api('GET', `/v1/campaigns/${encodeURIComponent(decodeURIComponent(params[0]))}?expand=access_settings_assignments`) : null;
  const [categories, areas] = await Promise.all([listAll('/v1/categories', 'data', 100).catch(() => []), areasWithStores(session)]);
  const v = editing?.voucher || {};
  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const name = input('name', { required: true, value: editing?.name, disabled: !!editing });
  const type = h('select', { name: 'campaign_type', disabled: !!editing }, TYPES.map(([val, l]) =>
    h('option', { value: val, selected: editing?.campaign_type === val }, l)));
  const description = h('textarea', { name: 'description', rows: 2 }, editing?.description || '');
  const category = h('select', { name: 'category_id' }, h('option', { value: '' }, 'None'),
    categories.map((x) => h('option', { value: x.id, selected: editing?.category_id === x.id }, x.name)));
  const start = input('start_date', { type: 'date', value: editing?.start_date?.slice(0, 10) });
  const end = input('expiration_date', { type: 'date', value: editing?.expiration_date?.slice(0, 10) });
  const codeKind = h('select', { name: 'type', disabled: !!editing }, h('option', { value: 'STATIC' }, 'One code (generic)'),
    h('option', { value: 'AUTO_UPDATE' }, 'Unique codes'));
  const count = input('vouchers_count', { type: 'number', min: 1, value: '1', disabled: !!editing });
  const pattern = input('voucher.code_config.pattern', { value: 'CODE-####', disabled: !!editing });
  const discountType = h('select', { name: 'voucher.discount.type', disabled: !!editing },
    h('option', { value: 'PERCENT' }, 'Percent off'), h('option', { value: 'AMOUNT' }, 'Amount off'));
  const percent = input('voucher.discount.percent_off', { inputmode: 'decimal', value: v.discount?.percent_off ?? '10', disabled: !!editing });
  const amount = input('voucher.discount.amount_off', { inputmode: 'decimal', value: v.discount?.amount_off ? money(v.discount.amount_off) : '5.00', disabled: !!editing });
  const gift = input('voucher.gift.amount', { inputmode: 'decimal', value: '50.00', disabled: !!editing });
  const points = input('voucher.loyalty_card.points', { type: 'number', min: 0, value: '0', disabled: !!editing });
  const tierName = input('promotion.tiers.name', { value: 'Tier 1', disabled: !!editing });
  const minOrder = input('order.amount', { inputmode: 'decimal', placeholder: 'e.g. 50.00', disabled: !!editing });
  const current = reachValues(editing);
  const reach = h('select', { name: 'access_settings', multiple: true, size: 6 },
    areas.map((a) => h('optgroup', { label: a.name },
      a.id ? [h('option', { value: `area:${a.id}`, selected: current.includes(`area:${a.id}`) }, `${a.name} (the area)`),
        h('option', { value: `all:${a.id}`, selected: current.includes(`all:${a.id}`) }, `${a.name} (all its stores)`)] : null,
      a.stores.map((s) => h('option', { value: `store:${s.id}`, selected: current.includes(`store:${s.id}`) }, s.name)))));
  // Assignments the picker does not offer (beyond its lists) are left as they are.
  const offered = new Set([...reach.options].map((o) => o.value));
  const error = formError();
  const sections = {
    codes: h('fieldset', {}, h('legend', {}, 'Codes'), h('div', { class: 'row' },
      field('Codes', codeKind, { name: 'type' }), field('How many', count, { name: 'vouchers_count' }),
      field('Pattern', pattern, { name: 'voucher.code_config.pattern', hint: 'each # becomes a random character (at least one)' }))),
    discount: h('fieldset', {}, h('legend', {}, 'Discount'), h('div', { class: 'row' },
      field('Discount', discountType, { name: 'voucher.discount.type' }),
      field('Percent off', percent, { name: 'voucher.discount.percent_off' }),
      field('Amount off', amount, { name: 'voucher.discount.amount_off' }))),
    gift: h('fieldset', {}, h('legend', {}, 'Gift card'), field('Balance', gift, { name: 'voucher.gift.amount' })),
    loyalty: h('fieldset', {}, h('legend', {}, 'Loyalty card'), field('Starting points', points, { name: 'voucher.loyalty_card.points' })),
    tier: h('fieldset', {}, h('legend', {}, 'Tier'), field('Tier name', tierName, { name: 'promotion.tiers.name' })),
  };
  const sync = () => {
    const t = type.value;
    sections.codes.hidden = t === 'PROMOTION' || !!editing;
    sections.discount.hidden = !['DISCOUNT_COUPONS', 'PROMOTION', 'REFERRAL_PROGRAM'].includes(t) || !!editing;
    sections.gift.hidden = t !== 'GIFT_VOUCHERS' || !!editing;
    sections.loyalty.hidden = t !== 'LOYALTY_PROGRAM' || !!editing;
    sections.tier.hidden = t !== 'PROMOTION' || !!editing;
    percent.closest('.field').hidden = discountType.value !== 'PERCENT';
    amount.closest('.field').hidden = discountType.value !== 'AMOUNT';
  };
  type.addEventListener('change', sync);
  discountType.addEventListener('change', sync);
  codeKind.addEventListener('change', () => {
    if (codeKind.value === 'STATIC') count.value = '1';
  });

  const form = h('form', { class: 'panel', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const fail = (fieldName, message) => showError(form, { message, details: '' }, fieldName);
    const selected = [...reach.selectedOptions].map((o) => o.value);
    const assign = assignmentsOf(selected);
    // Dates are days of the browser's time zone: from its midnight to the end of the day.
    const startOf = (d) => new Date(`${d}T00:00:00`).toISOString();
    const endOf = (d) => new Date(`${d}T23:59:59.999`).toISOString();
    const dates = {};
    if (start.value) dates.start_date = startOf(start.value);
    if (end.value) dates.expiration_date = endOf(end.value);
    try {
      if (editing) {
        const add = assignmentsOf(selected.filter((v) => !current.includes(v)));
        const unassign = assignmentsOf(current.filter((v) => offered.has(v) && !selected.includes(v)));
        const body = { description: description.value, category_id: category.value || null };
        // Only the dates that changed: a time set through the API is kept otherwise.
        if (start.value !== (editing.start_date?.slice(0, 10) || '')) body.start_date = start.value ? startOf(start.value) : null;
        if (end.value !== (editing.expiration_date?.slice(0, 10) || '')) body.expiration_date = end.value ? endOf(end.value) : null;
        if (anyAssigned(add) || anyAssigned(unassign)) body.access_settings = { assign: add, unassign };
        await api('PUT', `/v1/campaigns/${editing.id}`, body);
        location.hash = `#/campaigns/${editing.id}`;
        return;
      }
      const t = type.value;
      const discount = () => {
        if (discountType.value === 'PERCENT') {
          const p = Number(percent.value);
          if (percent.value.trim() === '' || Number.isNaN(p)) throw fail('voucher.discount.percent_off', 'Percent off must be a number');
          return { type: 'PERCENT', percent_off: p };
        }
        const a = parseMoney(amount.value);
        if (a === null) throw fail('voucher.discount.amount_off', 'Amount off must be an amount like 5.00');
        return { type: 'AMOUNT', amount_off: a };
      };
      const body = { name: name.value, campaign_type: t, description: description.value || undefined, ...dates };
      if (category.value) body.category_id = category.value;
      if (anyAssigned(assign)) body.access_settings = { assign };
      if (t === 'PROMOTION') {
        body.promotion = { tiers: [{ name: tierName.value, action: { discount: discount() } }] };
      } else {
        body.type = codeKind.value;
        body.vouchers_count = Number(count.value);
        body.voucher = { code_config: { pattern: pattern.value } };
        if (t === 'GIFT_VOUCHERS') {
          const g = parseMoney(gift.value);
          if (g === null) throw fail('voucher.gift.amount', 'The balance must be an amount like 50.00');
          Object.assign(body.voucher, { type: 'GIFT_VOUCHER', gift: { amount: g } });
        } else if (t === 'LOYALTY_PROGRAM') {
          Object.assign(body.voucher, { type: 'LOYALTY_CARD', loyalty_card: { points: Number(points.value) } });
        } else {
          Object.assign(body.voucher, { type: 'DISCOUNT_VOUCHER', discount: discount() });
        }
      }
      let rule = null;
      if (minOrder.value.trim()) {
        const min = parseMoney(minOrder.value);
        if (min === null) throw fail('order.amount', 'The minimum order must be an amount like 50.00');
        rule = await api('POST', '/v1/validation-rules', { name: `${name.value}: order over ${money(min)}`, type: 'basic',
          rules: { 1: { name: 'order.amount', conditions: { $more_than: [min] }, rules: {} }, logic: '1' },
          error: { message: `Spend more than ${money(min)}` } });
        if (t === 'PROMOTION') body.promotion.tiers[0].validation_rules = [rule.id];
        else body.validation_rules = [rule.id];
      }
      let created;
      try {
        created = await api('POST', '/v1/campaigns', body);
      } catch (e) {
        if (rule) await api('DELETE', `/v1/validation-rules/${rule.id}`).catch(() => {});
        throw e;
      }
      location.hash = `#/campaigns/${created.id}`;
    } catch (e) {
      if (e instanceof ApiError) showError(form, e, 'name');
      else if (e) throw e;
    }
  } },
  error,
  h('fieldset', {}, h('legend', {}, 'Campaign'),
    field('Name', name, { name: 'name', hint: editing ? 'fixed after creation' : null }),
    field('Type', type, { name: 'campaign_type' }),
    field('Description', description, { name: 'description' }),
    h('div', { class: 'row' }, field('Category', category, { name: 'category_id' }),
      field('Starts', start, { name: 'start_date' }), field('Ends', end, { name: 'expiration_date' }))),
  sections.codes, sections.discount, sections.gift, sections.loyalty, sections.tier,
  h('fieldset', {}, h('legend', {}, 'Rules and reach'),
    editing ? null : field('Minimum order amount', minOrder, { name: 'order.amount', hint: 'adds a validation rule: order amount more than this' }),
    field('Areas and stores', reach, { name: 'access_settings', hint: 'none: everywhere' })),
  h('button', { type: 'submit' }, editing ? 'Save' : 'Create campaign'));
  sync();
  mount(main, h('p', {}, h('a', { href: editing ? `#/campaigns/${editing.id}` : '#/campaigns' }, '← Back')),
    h('h1', {}, editing ? `Edit ${editing.name}` : 'New campaign'), form);
}
