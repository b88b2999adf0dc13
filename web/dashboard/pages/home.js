// Home: totals, a live redemption trend (polled every 2 s), top campaigns, campaigns about to
// expire.
import { api, listAll, query } from '../lib/api.js';
import { h, mount, money, day, table } from '../lib/ui.js';
import { lineChart, bucketize, paintSwatches } from '../lib/charts.js';

const POLL_MS = 2000;

export async function homePage({ main, onLeave }) {
  const totals = h('div', { class: 'cards' });
  const announce = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  const trend = h('div');
  const recent = h('div');
  const top = h('div');
  const expiring = h('div');
  mount(main, h('h1', {}, 'Home'), totals, announce,
    h('h2', {}, 'Redemptions, last 30 minutes'), trend,
    h('div', { class: 'grid2' }, h('div', {}, h('h2', {}, 'Top campaigns'), top),
      h('div', {}, h('h2', {}, 'About to expire (7 days)'), expiring)),
    h('h2', {}, 'Latest redemptions'), recent);

  let summaries = [];
  let campaigns = [];
  let lastTotal = -1;
  let summariesAt = 0;
  let stopped = false;
  let timer = null;
  // Registered before the first load: leaving during it stops the polling too.
  onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });

  async function loadCampaigns() {
    campaigns = await listAll('/v1/campaigns', 'campaigns', 200);
    // Summaries of the 50 newest campaigns: redemptions and discount are counted per campaign.
    summaries = await Promise.all(campaigns.slice(0, 50).map((c) =>
      api('GET', `/v1/campaigns/${encodeURIComponent(c.id)}/summary`).catch(() => null)));
    summaries = summaries.filter(Boolean);
  }

  async function tick() {
    // Incentives redeemed: the stacked parent records are left out (one per request).
    const list = await api('GET', `/v1/redemptions${query({ limit: 100, order: '-created_at',
      'filters[related_object_type][conditions][$is_not]': 'redemption' })}`);
    // Summaries (discount, top campaigns, rollbacks, enabled or disabled campaigns) when a
    // redemption arrives, and every 10 s anyway.
    if (list.total !== lastTotal || Date.now() - summariesAt > 10000) {
      await loadCampaigns();
      lastTotal = list.total;
      summariesAt = Date.now();
    }
    if (stopped) return;
    const discount = summaries.reduce((s, x) => s + (x.discounted_amount || 0) - (x.rolledback_discounted_amount || 0), 0);
    const active = campaigns.filter((c) => c.active).length;
    const succeeded = list.redemptions.filter((r) => r.result === 'SUCCESS').length;
    if (lastTotal !== Number(totals.dataset.total)) {
      announce.textContent = `${list.total} redemptions in all`;
      totals.dataset.total = String(lastTotal);
    }
    mount(totals,
      card('Total redemptions', list.total, 'total-redemptions'),
      card('Discount given', money(discount), 'discount-given'),
      card('Active campaigns', active, 'active-campaigns'),
      card('Success rate (latest 100)', list.redemptions.length ? `${Math.round((100 * succeeded) / list.redemptions.length)}%` : '—', 'success-rate'));
    const buckets = 30;
    const now = Date.now();
    const counts = bucketize(list.redemptions, { now, bucketMs: 60000, buckets, time: (r) => r.date || r.created_at,
      key: (r) => (r.result === 'SUCCESS' ? 'SUCCESS' : 'FAILURE'), keys: ['SUCCESS', 'FAILURE'] });
    const labels = Array.from({ length: buckets }, (_, i) => new Date(now - (buckets - 1 - i) * 60000).toISOString().slice(11, 16));
    mount(trend, lineChart({ title: 'Redemptions per minute', labels,
      series: [{ name: 'Succeeded', color: '#17663a', values: counts.SUCCESS },
        { name: 'Failed', color: '#a4161a', values: counts.FAILURE }] }));
    paintSwatches(trend);
    const ranked = [...summaries].sort((a, b) => b.redemptions - a.redemptions).slice(0, 5);
    mount(top, table([
      { label: 'Campaign', value: (s) => h('a', { href: `#/campaigns/${s.campaign.id}` }, s.campaign.name) },
      { label: 'Redemptions', value: (s) => s.redemptions },
      { label: 'Success rate', value: (s) => (s.redemptions ? `${Math.round((100 * s.redemptions_succeeded) / s.redemptions)}%` : '—') },
      { label: 'Discount', value: (s) => money(s.discounted_amount - s.rolledback_discounted_amount) },
    ], ranked));
    const soon = campaigns.filter((c) => c.expiration_date && Date.parse(c.expiration_date) > now &&
      Date.parse(c.expiration_date) - now < 7 * 86400000);
    mount(expiring, table([
      { label: 'Campaign', value: (c) => h('a', { href: `#/campaigns/${c.id}` }, c.name) },
      { label: 'Ends', value: (c) => day(c.expiration_date) },
    ], soon));
    mount(recent, table([
      { label: 'When', value: (r) => (r.date || '').replace('T', ' ').slice(0, 19) },
      { label: 'Result', value: (r) => h('span', { class: `badge ${r.result === 'SUCCESS' ? 'on' : 'off'}` }, r.result) },
      { label: 'Redeemable', value: (r) => r.voucher?.code || r.promotion_tier?.name || r.related_object_type },
      { label: 'Customer', value: (r) => r.customer?.name || r.customer_id || '—' },
      { label: 'Discount', value: (r) => money(r.order?.total_discount_amount ?? r.amount ?? 0) },
    ], list.redemptions.slice(0, 10), { caption: 'Latest redemptions' }));
  }

  // One tick at a time: the next is planned when this one ends.
  const loop = async () => {
    try {
      await tick();
    } catch (e) {
      if (e.status === 401) {
        location.reload();  // the session ended: the sign-in page
        return;
      }
    }
    if (!stopped) timer = setTimeout(loop, POLL_MS);
  };
  await tick();
  if (!stopped) timer = setTimeout(loop, POLL_MS);
}

function card(label, value, id) {
  return h('div', { class: 'card', id },
    h('div', { class: 'value', dataset: { testid: id } }, String(value)), h('div', { class: 'label' }, label));
}
