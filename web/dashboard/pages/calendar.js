// The promotion calendar: every campaign (drafts too) as a bar from start to end, its recurring
// windows, and a warning wherever two campaigns that cannot stack run at the same time for the
// same audience or store.
import { api, listAll } from '../lib/api.js';
import { h, mount, svg, day } from '../lib/ui.js';
import { campaignStatus, areasWithStores } from './campaigns.js';

const DAY = 86400000;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export async function stackingRules() {
  const list = await api('GET', '/management/v1/projects/me/stacking-rules').catch(() => ({ data: [] }));
  return list.data?.[0] || null;
}

// Why two campaigns cannot be applied to one order, or null when they can (stacking rules of
// spec section 7: exclusive categories apply alone; a category limit of 1 lets one through).
export function stackConflict(a, b, rules, categoryName) {
  const exclusive = new Set(rules?.exclusive_categories || []);
  const joint = new Set(rules?.joint_categories || []);
  for (const [c, other] of [[a, b], [b, a]]) {
    // An always-stackable (joint) incentive still applies beside an exclusive one.
    if (c.category_id && exclusive.has(c.category_id) && !(other.category_id && joint.has(other.category_id))) {
      return `${c.name} is in the exclusive category "${categoryName(c.category_id)}" and applies alone`;
    }
  }
  if (a.category_id && a.category_id === b.category_id && !joint.has(a.category_id)) {
    const limits = rules?.applicable_redeemables_category_limits || {};
    // Without stacking rules the reference's default is one per category; a null limit is none.
    const limit = rules ? (limits[a.category_id] ?? rules.applicable_redeemables_per_category_limit) : 1;
    if (limit !== null && limit !== undefined && limit <= 1) {
      return `both are in the category "${categoryName(a.category_id)}", which applies one incentive per order`;
    }
  }
  return null;
}

// Days of the week (0 = Sunday) a campaign runs on, or null for every day.
function weekdays(c) {
  const days = new Set();
  if (Array.isArray(c.validity_day_of_week) && c.validity_day_of_week.length) {
    for (const d of c.validity_day_of_week) days.add(d);
  }
  for (const w of c.validity_hours?.daily || []) for (const d of w.days_of_week || []) days.add(d);
  return days.size ? days : null;
}

function interval(c, now) {
  const start = Date.parse(c.start_date || c.created_at) || now;
  const end = c.expiration_date ? Date.parse(c.expiration_date) : Infinity;
  return [start, end];
}

// Whether the two reach the same customers or stores: no assignment means everywhere.
function sameAudience(a, b, storeArea) {
  const reach = (c) => (c.access_settings_assignments?.data || []).map((x) => ({ area: x.area_id, store: x.area_store_id }));
  const ra = reach(a);
  const rb = reach(b);
  if (ra.length === 0 || rb.length === 0) return true;
  for (const x of ra) {
    for (const y of rb) {
      if (x.store && y.store && x.store === y.store) return true;
      if (!x.store && (y.area === x.area || storeArea[y.store] === x.area)) return true;
      if (!y.store && (x.area === y.area || storeArea[x.store] === y.area)) return true;
    }
  }
  return false;
}

export function overlapWarnings(campaigns, rules, categories, storeArea, now = Date.now()) {
  const categoryName = (id) => categories.find((c) => c.id === id)?.name || id;
  const out = [];
  for (let i = 0; i < campaigns.length; i++) {
    for (let j = i + 1; j < campaigns.length; j++) {
      const a = campaigns[i];
      const b = campaigns[j];
      const [as, ae] = interval(a, now);
      const [bs, be] = interval(b, now);
      if (!(as <= be && bs <= ae)) continue;
      const da = weekdays(a);
      const db = weekdays(b);
      if (da && db && ![...da].some((d) => db.has(d))) continue;  // never on the same day
      if (!sameAudience(a, b, storeArea)) continue;
      const why = stackConflict(a, b, rules, categoryName);
      if (why) out.push({ a, b, why, from: Math.max(as, bs), to: Math.min(ae, be) });
    }
  }
  return out;
}

function recurring(c) {
  const parts = [];
  if (Array.isArray(c.validity_day_of_week) && c.validity_day_of_week.length) {
    parts.push(`on ${c.validity_day_of_week.map((d) => DAYS[d] || d).join(', ')}`);
  }
  if (c.validity_timeframe?.interval) parts.push(`every ${c.validity_timeframe.interval} for ${c.validity_timeframe.duration}`);
  if (c.validity_hours?.daily?.length) {
    parts.push(`daily ${c.validity_hours.daily.map((w) => `${w.start_time}-${w.expiration_time}${w.days_of_week?.length ? ` on ${w.days_of_week.map((d) => DAYS[d] || d).join(', ')}` : ''}`).join(', ')}`);
  }
  return parts.join('; ');
}

export async function calendarPage({ main, session }) {
  const [campaigns, rules, categories, areas] = await Promise.all([
    listAll('/v1/campaigns?expand=access_settings_assignments&order=created_at', 'campaigns', 500),
    stackingRules(), listAll('/v1/categories', 'data', 100).catch(() => []), areasWithStores(session)]);
  const storeArea = {};
  for (const a of areas) for (const s of a.stores) storeArea[s.id] = a.id;
  const now = Date.now();
  const warnings = overlapWarnings(campaigns, rules, categories, storeArea, now);
  const starts = campaigns.map((c) => interval(c, now)[0]);
  const ends = campaigns.map((c) => interval(c, now)[1]).filter(Number.isFinite);
  const from = Math.min(now - 7 * DAY, ...starts) - DAY;
  const to = Math.max(now + 60 * DAY, ...ends) + DAY;
  const width = 1000;
  const label = 220;
  const rowH = 30;
  const x = (t) => label + ((Math.min(t, to) - from) / (to - from)) * (width - label - 10);
  const months = [];
  for (let d = new Date(from); d.getTime() <= to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    if (t >= from) months.push(t);
  }
  const conflicted = new Set(warnings.flatMap((w) => [w.a.id, w.b.id]));
  const height = 30 + campaigns.length * rowH;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'calendar', role: 'img',
    'aria-label': `Timeline of ${campaigns.length} campaigns from ${day(new Date(from).toISOString())} to ${day(new Date(to).toISOString())}` },
  months.map((t) => [svg('line', { x1: x(t), x2: x(t), y1: 0, y2: height, stroke: '#d5dae2' }),
    svg('text', { x: x(t) + 3, y: 14, 'font-size': 11, fill: '#4f5b6e' }, new Date(t).toISOString().slice(0, 7))]),
  svg('line', { x1: x(now), x2: x(now), y1: 0, y2: height, stroke: '#f2b01e', 'stroke-width': 2 }),
  campaigns.map((c, i) => {
    const [s, e] = interval(c, now);
    const y = 24 + i * rowH;
    const [kind] = campaignStatus(c);
    const fill = kind === 'on' ? '#1f5fbf' : kind === 'draft' ? '#b07a1a' : '#8a93a3';
    const rec = recurring(c);
    return svg('g', {},
      svg('text', { x: 4, y: y + 15, 'font-size': 12, fill: '#1d2330' }, c.name.length > 30 ? `${c.name.slice(0, 29)}…` : c.name),
      svg('rect', { x: x(s), y: y + 3, width: Math.max(3, x(e) - x(s)), height: rowH - 10, rx: 3, fill,
        stroke: conflicted.has(c.id) ? '#a4161a' : 'none', 'stroke-width': 2, 'stroke-dasharray': rec ? '4 2' : null },
      svg('title', {}, `${c.name}: ${day(c.start_date)} → ${c.expiration_date ? day(c.expiration_date) : 'open-ended'}${rec ? ` (${rec})` : ''}`)));
  }));
  mount(main, h('h1', {}, 'Promotion calendar'),
    warnings.length ? h('div', { class: 'warning', role: 'alert', id: 'overlap-warnings' },
      h('strong', {}, `${warnings.length} overlap${warnings.length === 1 ? '' : 's'} of campaigns that cannot stack:`),
      h('ul', {}, warnings.map((w) => h('li', { class: 'overlap' },
        h('a', { href: `#/campaigns/${w.a.id}` }, w.a.name), ' and ', h('a', { href: `#/campaigns/${w.b.id}` }, w.b.name),
        ` overlap from ${day(new Date(w.from).toISOString())} to ${Number.isFinite(w.to) ? day(new Date(w.to).toISOString()) : 'open end'} for the same audience: ${w.why}.`))))
      : h('p', { class: 'ok', role: 'status' }, 'No overlapping campaigns that cannot stack.'),
    chart,
    h('table', {}, h('caption', {}, 'Campaigns on the calendar'),
      h('thead', {}, h('tr', {}, ['Campaign', 'Status', 'Starts', 'Ends', 'Recurring'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, campaigns.map((c) => h('tr', {},
        h('td', {}, h('a', { href: `#/campaigns/${c.id}` }, c.name)), h('td', {}, campaignStatus(c)[1]),
        h('td', {}, day(c.start_date)), h('td', {}, c.expiration_date ? day(c.expiration_date) : 'open-ended'),
        h('td', {}, recurring(c) || '—'))))));
}
