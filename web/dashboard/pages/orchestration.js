// Orchestration screens: stacking settings and categories, areas and stores, locations on a
// plain map, code publication, and the bin.
import { api, listAll, ApiError } from '../lib/api.js';
import { h, mount, svg, field, formError, showError, clearErrors, table, status, day } from '../lib/ui.js';
import { stackingRules } from './calendar.js';
import { areasWithStores } from './campaigns.js';

function guard(form, fallback, fn) {
  return async (ev) => {
    ev.preventDefault();
    clearErrors(form());
    try {
      await fn();
    } catch (e) {
      if (e instanceof ApiError) showError(form(), e, fallback);
      else throw e;
    }
  };
}

// ---------------------------------------------------------------------------------------------
const STACKING_FIELDS = [
  ['redeemables_limit', 'number', 'Incentives per request', 'How many redeemables one validation or redemption may name (1-30).'],
  ['applicable_redeemables_limit', 'number', 'Applied per order', 'How many of them may apply to one order (1-30); the rest are skipped.'],
  ['applicable_redeemables_per_category_limit', 'number', 'Applied per category', 'How many incentives of one category may apply to one order.'],
  ['applicable_exclusive_redeemables_limit', 'number', 'Exclusive incentives per order', 'How many incentives of exclusive categories may apply (they then apply alone).'],
  ['redeemables_application_mode', ['ALL', 'PARTIAL'], 'When one fails', 'ALL: one inapplicable incentive fails the whole request. PARTIAL: the others still apply.'],
  ['redeemables_sorting_rule', ['REQUESTED_ORDER', 'CATEGORY_HIERARCHY'], 'Order of application', 'As sent, or by category hierarchy (lower hierarchy first).'],
  ['redeemables_no_effect_rule', ['REDEEM_ANYWAY', 'SKIP'], 'Incentives with no effect', 'Redeem an incentive that changes nothing, or skip it.'],
  ['discount_calculation_mode', ['DISCOUNTED_AMOUNT', 'INITIAL_AMOUNT'], 'Discounts computed on', 'The amount left after earlier discounts, or the initial amount.'],
  ['exclusive_categories', 'categories', 'Exclusive categories', 'An incentive of these categories applies alone: the others are skipped.'],
  ['joint_categories', 'categories', 'Always-stackable categories', 'Incentives of these categories apply together with anything.'],
];

export async function stackingPage({ main, session }) {
  const [found, categories] = await Promise.all([stackingRules(), listAll('/v1/categories', 'data', 100)]);
  let rules = found;
  const admin = session.user.role === 'admin';
  const inputs = {};
  const fields = STACKING_FIELDS.map(([key, kind, label, help]) => {
    let input;
    const value = rules?.[key];
    if (kind === 'number') input = h('input', { name: key, type: 'number', min: 1, value: value ?? '' });
    else if (kind === 'categories') {
      input = h('select', { name: key, multiple: true, size: Math.min(5, Math.max(2, categories.length)) },
        categories.map((c) => h('option', { value: c.id, selected: (value || []).includes(c.id) }, c.name)));
    } else input = h('select', { name: key }, kind.map((o) => h('option', { value: o, selected: value === o }, o)));
    inputs[key] = [input, kind];
    return field(label, input, { name: key, hint: help });
  });
  let form;
  form = h('form', { class: 'panel', 'aria-labelledby': 'stacking-title', onsubmit: guard(() => form, 'redeemables_limit', async () => {
    const body = {};
    for (const [key, [input, kind]] of Object.entries(inputs)) {
      if (kind === 'number') { if (input.value !== '') body[key] = Number(input.value); } else if (kind === 'categories') body[key] = [...input.selectedOptions].map((o) => o.value);
      else body[key] = input.value;
    }
    const saved = rules?.id
      ? await api('PUT', `/management/v1/projects/me/stacking-rules/${rules.id}`, body)
      : await api('POST', '/management/v1/projects/me/stacking-rules', body);
    rules = saved;  // the next save updates it
    done.textContent = `Saved (${saved.id}).`;
  }) }, h('h2', { id: 'stacking-title' }, 'Stacking settings'), formError(), fields,
  admin ? h('button', { type: 'submit' }, 'Save stacking settings') : h('p', { class: 'hint' }, 'Only admins change stacking settings.'));
  const done = h('p', { role: 'status', class: 'ok' });

  const catName = h('input', { name: 'name', required: true });
  const catHierarchy = h('input', { name: 'hierarchy', type: 'number', min: 1, value: '1' });
  let catForm;
  catForm = h('form', { class: 'panel', 'aria-labelledby': 'cat-title', onsubmit: guard(() => catForm, 'name', async () => {
    await api('POST', '/v1/categories', { name: catName.value, hierarchy: Number(catHierarchy.value) });
    await stackingPage({ main, session });
  }) }, h('h2', { id: 'cat-title' }, 'Categories'),
  table([{ label: 'Name', value: (c) => c.name }, { label: 'Hierarchy', value: (c) => c.hierarchy },
    { label: 'Stacking', value: (c) => ((rules?.exclusive_categories || []).includes(c.id) ? 'exclusive' : (rules?.joint_categories || []).includes(c.id) ? 'always stackable' : 'normal') }], categories),
  formError(), h('div', { class: 'row' }, field('New category', catName, { name: 'name' }), field('Hierarchy', catHierarchy, { name: 'hierarchy' })),
  h('button', { type: 'submit' }, 'Add category'));
  mount(main, h('h1', {}, 'Stacking'), form, done, catForm);
}

// ---------------------------------------------------------------------------------------------
export async function areasPage({ main, session }) {
  const [areas, campaigns, users] = await Promise.all([areasWithStores(session),
    listAll('/v1/campaigns?expand=access_settings_assignments', 'campaigns', 500),
    session.user.role === 'admin' ? api('GET', '/dashboard/api/users').then((r) => r.data) : Promise.resolve([])]);
  const assigned = (id) => campaigns.filter((c) => (c.access_settings_assignments?.data || []).some((a) => (a.area_store_id || a.area_id) === id || (a.all_stores && a.area_id === id)));
  // Restricted users of a store: assigned to it, to its area, or to all stores of its area.
  const usersOf = (areaId, storeId) => users.filter((u) => u.assignments.some((a) =>
    (storeId ? a.area_store_id === storeId || (!a.area_store_id && a.area_id === areaId) : !a.area_store_id && a.area_id === areaId)))
    .map((u) => u.email).join(', ') || '—';
  const admin = session.user.role === 'admin';
  const areaName = h('input', { name: 'name', required: true });
  let areaForm;
  areaForm = h('form', { class: 'panel', id: 'new-area', onsubmit: guard(() => areaForm, 'name', async () => {
    await api('POST', '/v1/areas', { name: areaName.value });
    await areasPage({ main, session });
  }) }, h('h2', {}, 'New area'), formError(), field('Area name', areaName, { name: 'name' }), h('button', { type: 'submit' }, 'Add area'));
  mount(main, h('h1', {}, 'Areas and stores'),
    areas.length ? null : status('No areas yet.'),
    areas.map((a) => {
      const storeName = h('input', { name: 'name', required: true });
      let storeForm;
      storeForm = h('form', { class: 'row', onsubmit: guard(() => storeForm, 'name', async () => {
        await api('POST', `/v1/areas/${a.id}/stores`, { name: storeName.value });
        await areasPage({ main, session });
      }) }, formError(), field(`New store in ${a.name}`, storeName, { name: 'name' }), h('button', { type: 'submit' }, 'Add store'));
      return h('section', { class: 'panel', 'aria-label': a.name },
        h('h2', {}, a.name), h('p', {}, 'Campaigns for the whole area: ', assigned(a.id).map((c) => c.name).join(', ') || 'none'),
        session.user.role === 'admin' ? h('p', {}, 'Users of the whole area: ', usersOf(a.id, null)) : null,
        table([{ label: 'Store', value: (s) => s.name }, { label: 'Id', value: (s) => h('code', {}, s.id) },
          { label: 'Campaigns assigned', value: (s) => assigned(s.id).map((c) => c.name).join(', ') || '—' },
          ...(session.user.role === 'admin' ? [{ label: 'Restricted users', value: (s) => usersOf(a.id, s.id) }] : [])], a.stores, { caption: `Stores of ${a.name}` }),
        admin ? storeForm : null);
    }),
    admin ? areaForm : null);
}

// ---------------------------------------------------------------------------------------------
// Locations on an equirectangular projection of their own bounding box: no map tiles needed.
export function locationMap(locations) {
  const shapes = [];
  for (const l of locations) {
    if (l.shape?.type === 'circle') {
      const d = l.shape.distance || {};
      const m = /^geo:(-?[\d.]+),\s*(-?[\d.]+)$/.exec(d.center || '');
      const r = /^([\d.]+)\s*(m|km|mi|ft)$/.exec(String(d.radius || ''));
      if (!m || !r) continue;
      const metres = Number(r[1]) * { m: 1, km: 1000, mi: 1609.344, ft: 0.3048 }[r[2]];
      shapes.push({ l, kind: 'circle', lat: Number(m[1]), lng: Number(m[2]), metres });
    } else if (l.shape?.geojson) {
      const g = l.shape.geojson;
      const polys = g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates];
      shapes.push({ l, kind: 'polygon', rings: polys.flat() });
    }
  }
  let minLat = 90; let maxLat = -90; let minLng = 180; let maxLng = -180;
  const grow = (lat, lng) => { minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat); minLng = Math.min(minLng, lng); maxLng = Math.max(maxLng, lng); };
  for (const s of shapes) {
    if (s.kind === 'circle') {
      const dLat = s.metres / 111320;
      const dLng = dLat / Math.max(0.01, Math.cos((s.lat * Math.PI) / 180));
      grow(s.lat - dLat, s.lng - dLng); grow(s.lat + dLat, s.lng + dLng);
    } else for (const ring of s.rings) for (const [lng, lat] of ring) grow(lat, lng);
  }
  if (!shapes.length) { minLat = -60; maxLat = 70; minLng = -170; maxLng = 170; }
  const padLat = (maxLat - minLat) * 0.1 || 0.01;
  const padLng = (maxLng - minLng) * 0.1 || 0.01;
  minLat -= padLat; maxLat += padLat; minLng -= padLng; maxLng += padLng;
  const W = 800;
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const H = Math.max(200, Math.min(600, (W * (maxLat - minLat)) / ((maxLng - minLng) * k)));
  const px = (lng) => ((lng - minLng) / (maxLng - minLng)) * W;
  const py = (lat) => ((maxLat - lat) / (maxLat - minLat)) * H;
  const colors = ['#1f5fbf', '#17663a', '#a4161a', '#8a5300', '#6b2fa3'];
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', class: 'chart', role: 'img', 'aria-label': `Map of ${shapes.length} locations` },
    svg('rect', { x: 0, y: 0, width: W, height: H, fill: '#eef3f8' }),
    [0.25, 0.5, 0.75].map((f) => [svg('line', { x1: f * W, x2: f * W, y1: 0, y2: H, stroke: '#d5dae2' }), svg('line', { x1: 0, x2: W, y1: f * H, y2: f * H, stroke: '#d5dae2' })]),
    svg('text', { x: 4, y: H - 6, 'font-size': 11, fill: '#4f5b6e' }, `${minLat.toFixed(3)}, ${minLng.toFixed(3)}`),
    svg('text', { x: W - 4, y: 14, 'font-size': 11, fill: '#4f5b6e', 'text-anchor': 'end' }, `${maxLat.toFixed(3)}, ${maxLng.toFixed(3)}`),
    shapes.map((s, i) => {
      const color = colors[i % colors.length];
      if (s.kind === 'circle') {
        const ry = (s.metres / 111320 / (maxLat - minLat)) * H;
        const rx = ((s.metres / 111320 / Math.max(0.01, Math.cos((s.lat * Math.PI) / 180))) / (maxLng - minLng)) * W;
        return svg('g', {}, svg('ellipse', { cx: px(s.lng), cy: py(s.lat), rx, ry, fill: color, 'fill-opacity': 0.25, stroke: color, 'stroke-width': 2 }),
          svg('text', { x: px(s.lng), y: py(s.lat), 'text-anchor': 'middle', 'font-size': 13, fill: '#1d2330' }, s.l.name), svg('title', {}, `${s.l.name}: circle ${s.l.shape.distance.radius} around ${s.l.shape.distance.center}`));
      }
      return svg('g', {}, s.rings.map((ring) => svg('polygon', { points: ring.map(([lng, lat]) => `${px(lng)},${py(lat)}`).join(' '), fill: color, 'fill-opacity': 0.25, stroke: color, 'stroke-width': 2 })),
        svg('text', { x: px(s.rings[0][0][0]), y: py(s.rings[0][0][1]) - 4, 'font-size': 13, fill: '#1d2330' }, s.l.name), svg('title', {}, `${s.l.name}: polygon`));
    }));
}

export async function locationsPage({ main, session }) {
  const locations = await listAll('/v1/locations', 'data', 200);
  const name = h('input', { name: 'name', required: true });
  const center = h('input', { name: 'shape.distance.center', placeholder: 'geo:52.2297,21.0122' });
  const radius = h('input', { name: 'shape.distance.radius', placeholder: '2 km' });
  let form;
  form = h('form', { class: 'panel', onsubmit: guard(() => form, 'name', async () => {
    await api('POST', '/v1/locations', { name: name.value, shape: { type: 'circle', format: 'distance', distance: { center: center.value, radius: radius.value } } });
    await locationsPage({ main, session });
  }) }, h('h2', {}, 'New circle'), formError(), h('div', { class: 'row' }, field('Name', name, { name: 'name' }),
    field('Centre', center, { name: 'shape.distance.center', hint: 'geo:LAT,LNG' }), field('Radius', radius, { name: 'shape.distance.radius', hint: 'with a unit: m, km, mi, ft' })),
  h('button', { type: 'submit' }, 'Add location'));
  mount(main, h('h1', {}, 'Locations'), locationMap(locations),
    table([{ label: 'Name', value: (l) => l.name }, { label: 'Shape', value: (l) => (l.shape.type === 'circle' ? `circle ${l.shape.distance?.radius} around ${l.shape.distance?.center}` : `${l.shape.geojson?.type}`) },
      { label: 'Id', value: (l) => h('code', {}, l.id) }], locations, { caption: 'Locations' }),
    session.user.role === 'viewer' ? null : form);
}

// ---------------------------------------------------------------------------------------------
export async function publishPage({ main }) {
  const [campaigns, customers, segments] = await Promise.all([
    listAll('/v1/campaigns', 'campaigns', 500), listAll('/v1/customers', 'customers', 500), listAll('/v1/segments', 'data', 200).catch(() => [])]);
  const withCodes = campaigns.filter((c) => c.campaign_type !== 'PROMOTION');
  const campaign = h('select', { name: 'campaign' }, withCodes.map((c) => h('option', { value: c.id }, c.name)));
  const to = h('select', { name: 'to' }, h('option', { value: 'customer' }, 'One customer'), h('option', { value: 'segment' }, 'Every customer of a segment'));
  const customer = h('select', { name: 'customer' }, customers.map((c) => h('option', { value: c.id }, `${c.name || c.source_id} (${c.email || c.source_id || c.id})`)));
  const segment = h('select', { name: 'segment' }, segments.map((s) => h('option', { value: s.id }, s.name)));
  const result = h('div', { 'aria-live': 'polite' });
  const sync = () => {
    customer.closest('.field').hidden = to.value !== 'customer';
    segment.closest('.field').hidden = to.value !== 'segment';
  };
  to.addEventListener('change', sync);
  let form;
  form = h('form', { class: 'panel', onsubmit: guard(() => form, 'campaign', async () => {
    if (to.value === 'customer') {
      const p = await api('POST', '/v1/publications', { campaign: { id: campaign.value }, customer: { id: customer.value } });
      const code = p.voucher?.code || p.vouchers?.[0];
      mount(result, h('p', { role: 'status', class: 'ok' }, 'Published ', h('code', { dataset: { testid: 'published-code' } }, code), ` to ${p.customer?.name || p.customer_id}.`));
      return;
    }
    const bar = h('progress', { max: 100, value: 5, 'aria-label': 'Publication progress' });
    const text = status('Publishing…');
    mount(result, bar, text);
    const { async_action_id: id } = await api('POST', '/v1/publications/bulk/async', { campaign: { id: campaign.value }, segment: { id: segment.value } });
    let a = await api('GET', `/v1/async-actions/${id}`);
    for (let i = 0; i < 240 && a.status !== 'DONE' && a.status !== 'FAILED'; i++) {
      bar.value = a.progress ?? (a.status === 'IN_PROGRESS' ? 50 : 10);
      text.textContent = `Publishing: ${a.status.toLowerCase().replace('_', ' ')}${a.progress !== undefined ? ` (${a.progress}%)` : ''}`;
      await new Promise((r) => setTimeout(r, 500));
      a = await api('GET', `/v1/async-actions/${id}`);
    }
    bar.value = 100;
    text.textContent = a.status === 'DONE' ? `Done: ${JSON.stringify(a.result?.message ?? a.result ?? '')}` : `Failed: ${JSON.stringify(a.result)}`;
  }) }, formError(), field('Campaign', campaign, { name: 'campaign' }), field('Publish to', to, { name: 'to' }),
  field('Customer', customer, { name: 'customer' }), field('Segment', segment, { name: 'segment' }),
  h('button', { type: 'submit' }, 'Publish'));
  mount(main, h('h1', {}, 'Publish codes'), withCodes.length ? form : status('No campaign with codes yet.'), result);
  sync();
}

// ---------------------------------------------------------------------------------------------
export async function binPage({ main, session }) {
  const entries = await listAll('/v1/trash-bin', 'data', 500);
  const notice = h('div', { 'aria-live': 'polite' });
  mount(main, h('h1', {}, 'Bin'), h('p', { class: 'hint' }, 'Deleted campaigns, codes and products keep their names and codes reserved until purged.'), notice,
    table([{ label: 'What', value: (e) => `${e.resource_type || e.object_type || ''} ${e.name || e.resource_name || e.resource_id || ''}` },
      { label: 'Deleted', value: (e) => day(e.created_at || e.deleted_at) },
      { label: 'Purge', value: (e) => (session.user.role === 'viewer' ? '' : h('button', { type: 'button', class: 'danger',
        'aria-label': `Purge ${e.resource_type || e.object_type || ''} ${e.name || e.resource_name || e.resource_id || ''}`, onclick: async () => {
        if (!confirm('Delete it for good? Its name and codes are then free again.')) return;
        try {
          await api('DELETE', `/v1/trash-bin/${e.id}`);
          await binPage({ main, session });
        } catch (err) {
          mount(notice, h('p', { class: 'field-error', role: 'alert' }, `${err.message}: ${err.details || ''}`));
        }
      } }, 'Purge')) }], entries, { caption: 'Bin entries' }));
}
