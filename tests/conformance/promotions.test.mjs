// Promotion campaigns, promotion tiers and promotion stacks through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 29-32 of table C and the `promotions.tiers.delete`
// teardown of 45i. Contract: shared/contract/readOnly-openAPI.json, operations create-campaign,
// add-promotion-tier-to-campaign, list-promotion-tiers(-from-campaign), get-/update-/delete-promotion-tier,
// enable-/disable-promotion-tier, create-/get-/update-/delete-promotion-stack, list-promotion-stacks-in-campaign
// and list-all-promotion-stacks.
//
// SDK 2.9.0 has `promotions.create`, `promotions.tiers.{create,list,listAll,get,update,delete}` and
// `promotions.stack.{createInCampaign,listInCampaign,get,update,delete,list}`, but nothing for tier
// enable/disable: those go through raw fetch with the same credentials. Raw fetch is also used where the HTTP
// status itself (204 on delete) is what is being checked, since the SDK hides it.
//
// Validation rules are not implemented by the server yet, so kit step 30's `validation_rules:[R1]` is omitted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { rawRequest } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const CAMP_ID = /^camp_[0-9a-zA-Z]+$/;
const TIER_ID = /^promo_[0-9a-zA-Z]+$/;
const STACK_ID = /^stack_[0-9a-zA-Z]+$/;

let srv;
let client;

before(async () => {
  srv = await startServer();
  client = srv.client;
});

after(async () => {
  await srv?.stop();
});

// Raw HTTP with the harness's credentials. `body` undefined sends no body (as the SDK does for GET/DELETE).
const raw = (method, path, body) => rawRequest(srv, method, path, body);

const describeRes = (r) => `HTTP ${r.status}: ${r.text}`;

let counter = 0;
const uniqueName = (base) => `${base} ${++counter}`;

const PERCENT_10 = { type: 'PERCENT', percent_off: 10 };
const AMOUNT_1000 = { type: 'AMOUNT', amount_off: 1000 };

// Kit step 29: a PROMOTION campaign with one 10%-off tier. Returns {campaign, tier}.
async function createPromotion(name = uniqueName('Promo'), tierName = `${name} tier 1`) {
  const campaign = await client.promotions.create({
    name,
    campaign_type: 'PROMOTION',
    promotion: { tiers: [{ name: tierName, banner: `${tierName} banner`, action: { discount: PERCENT_10 } }] },
  });
  assert.match(campaign.id ?? '', CAMP_ID, `promotions.create response ${JSON.stringify(campaign)}`);
  assert.ok(Array.isArray(campaign.promotion?.tiers) && campaign.promotion.tiers.length === 1,
    `promotion.tiers in ${JSON.stringify(campaign)}`);
  return { campaign, tier: campaign.promotion.tiers[0] };
}

// Kit step 30 (without validation_rules): a $10-off tier added to `campaignId`.
async function addAmountTier(campaignId, name = uniqueName('Amount tier')) {
  return client.promotions.tiers.create(campaignId, {
    name,
    banner: `${name} banner`,
    action: { discount: AMOUNT_1000 },
  });
}

function assertTierShape(t, { id, name, banner, campaignId, discount, active = true }) {
  if (id !== undefined) assert.equal(t.id, id);
  else assert.match(t.id ?? '', TIER_ID);
  assert.equal(t.object, 'promotion_tier');
  assert.equal(t.name, name);
  assert.equal(t.banner, banner);
  assert.deepEqual(t.action?.discount && pick(t.action.discount, Object.keys(discount)), discount,
    `action.discount ${JSON.stringify(t.action)}`);
  assert.equal(t.campaign_id, campaignId);
  assert.equal(typeof t.campaign, 'object');
  assert.ok(t.campaign !== null, 'campaign must be an object');
  assert.equal(t.campaign.id, campaignId);
  assert.equal(t.campaign.object, 'campaign');
  assert.equal(t.active, active);
  assert.ok(Number.isInteger(t.hierarchy), `hierarchy must be an integer, got ${t.hierarchy}`);
  assertIsoTimestamp(t.created_at, 'tier.created_at');
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  return out;
}

function assertTierList(list, label) {
  assert.equal(list.object, 'list', `${label}.object`);
  assert.equal(list.data_ref, 'tiers', `${label}.data_ref`);
  assert.ok(Array.isArray(list.tiers), `${label}.tiers must be an array`);
  assert.ok(Number.isInteger(list.total), `${label}.total must be an integer, got ${list.total}`);
  assert.equal(typeof list.has_more, 'boolean', `${label}.has_more must be a boolean, got ${list.has_more}`);
  for (const t of list.tiers) {
    assert.equal(t.object, 'promotion_tier');
    assert.match(t.id, TIER_ID);
  }
}

function assertStackShape(s, { name, campaignId, ids }) {
  assert.match(s.id ?? '', STACK_ID, `stack id in ${JSON.stringify(s)}`);
  assert.equal(s.name, name);
  assert.equal(s.campaign_id, campaignId);
  assert.equal(s.object, 'promotion_stack');
  assert.deepEqual(s.tiers, { ids, hierarchy_mode: 'MANUAL' });
  assertIsoTimestamp(s.created_at, 'stack.created_at');
}

function assertStackList(list, label) {
  assert.equal(list.object, 'list', `${label}.object`);
  assert.equal(list.data_ref, 'data', `${label}.data_ref`);
  assert.ok(Array.isArray(list.data), `${label}.data must be an array`);
  assert.ok(Number.isInteger(list.total), `${label}.total must be an integer, got ${list.total}`);
  for (const s of list.data) {
    assert.equal(s.object, 'promotion_stack');
    assert.match(s.id, STACK_ID);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Step 29: promotion campaign

test('promotions.create: PROMOTION campaign with promotion:{tiers:[{id:promo_…}], object:list, data_ref:tiers} (kit #29)', async () => {
  const name = uniqueName('Promo create');
  const campaign = await client.promotions.create({
    name,
    campaign_type: 'PROMOTION',
    promotion: { tiers: [{ name: 'Ten off', banner: 'Get 10% off', action: { discount: PERCENT_10 } }] },
  });

  assert.match(campaign.id, CAMP_ID);
  assert.equal(campaign.object, 'campaign');
  assert.equal(campaign.name, name);
  assert.equal(campaign.campaign_type, 'PROMOTION');
  assert.equal(campaign.active, true);
  assertIsoTimestamp(campaign.created_at, 'created_at');

  assert.equal(typeof campaign.promotion, 'object');
  assert.ok(campaign.promotion !== null, 'promotion must be an object');
  assert.equal(campaign.promotion.object, 'list');
  assert.equal(campaign.promotion.data_ref, 'tiers');
  assert.ok(Array.isArray(campaign.promotion.tiers), 'promotion.tiers must be an array');
  assert.equal(campaign.promotion.tiers.length, 1);
  const [tier] = campaign.promotion.tiers;
  assertTierShape(tier, {
    name: 'Ten off', banner: 'Get 10% off', campaignId: campaign.id, discount: PERCENT_10,
  });

  // The stored campaign reads back the same way.
  const got = await client.campaigns.get(campaign.id);
  assert.equal(got.campaign_type, 'PROMOTION');
  assert.equal(got.promotion?.object, 'list');
  assert.equal(got.promotion?.data_ref, 'tiers');
  assert.deepEqual(got.promotion.tiers.map((t) => t.id), [tier.id]);
});

test('promotions.create: campaign.promotion also carries total and has_more (contract Campaign.promotion = PromotionTiersList)', async () => {
  const { campaign } = await createPromotion();
  assert.equal(campaign.promotion.total, 1, `promotion ${JSON.stringify(campaign.promotion)}`);
  assert.equal(campaign.promotion.has_more, false, `promotion ${JSON.stringify(campaign.promotion)}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Step 30: add a tier

test('promotions.tiers.create adds an AMOUNT tier: id promo_…, campaign_id, object promotion_tier (kit #30)', async () => {
  const { campaign, tier: first } = await createPromotion();
  const name = uniqueName('Ten dollars off');

  const t = await client.promotions.tiers.create(campaign.id, {
    name,
    banner: 'Get $10 off',
    action: { discount: AMOUNT_1000 },
  });
  assertTierShape(t, { name, banner: 'Get $10 off', campaignId: campaign.id, discount: AMOUNT_1000 });
  assert.notEqual(t.id, first.id);
  // No rules were sent; the key is still part of the tier (kit #30; contract example: a list of assignments).
  assert.ok('validation_rule_assignments' in t, `validation_rule_assignments missing from ${JSON.stringify(t)}`);
  if (t.validation_rule_assignments !== null) {
    assert.equal(t.validation_rule_assignments.object, 'list');
    assert.equal(t.validation_rule_assignments.total, 0);
  }

  // The campaign now has both tiers.
  const got = await client.campaigns.get(campaign.id);
  assert.deepEqual(new Set(got.promotion.tiers.map((x) => x.id)), new Set([first.id, t.id]));
});

// ---------------------------------------------------------------------------------------------------------------
// Step 31: list / get / listAll

test('promotions.tiers.list(C2) lists the campaign\'s tiers only (kit #31)', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  const { tier: other } = await createPromotion(); // a tier in another campaign must not show up

  const list = await client.promotions.tiers.list(campaign.id);
  assertTierList(list, 'list');
  assert.equal(list.total, 2);
  assert.equal(list.has_more, false);
  assert.equal(list.tiers.length, 2);
  const ids = list.tiers.map((t) => t.id);
  assert.deepEqual(new Set(ids), new Set([t1.id, t2.id]));
  assert.ok(!ids.includes(other.id));
  for (const t of list.tiers) assert.equal(t.campaign_id, campaign.id);
});

test('promotions.tiers.get(T1) returns the tier (kit #31)', async () => {
  const { campaign, tier } = await createPromotion(uniqueName('Promo get'), 'Gettable');
  const got = await client.promotions.tiers.get(tier.id);
  assertTierShape(got, {
    id: tier.id, name: 'Gettable', banner: 'Gettable banner', campaignId: campaign.id, discount: PERCENT_10,
  });
  assert.equal(got.hierarchy, tier.hierarchy);
});

test('promotions.tiers.listAll({is_available:true}) lists tiers across campaigns (kit #31)', async () => {
  const a = await createPromotion();
  const b = await createPromotion();
  const b2 = await addAmountTier(b.campaign.id);

  const list = await client.promotions.tiers.listAll({ is_available: true });
  assertTierList(list, 'listAll');
  const ids = list.tiers.map((t) => t.id);
  for (const id of [a.tier.id, b.tier.id, b2.id]) assert.ok(ids.includes(id), `listAll must include ${id}`);
  assert.ok(list.total >= 3, `total ${list.total}`);
  for (const t of list.tiers) assert.equal(t.active, true, `is_available:true returned inactive tier ${t.id}`);

  // The kit's recorded form also carries limit=10.
  const limited = await client.promotions.tiers.listAll({ is_available: true, limit: 10 });
  assertTierList(limited, 'listAll(limit 10)');
  assert.ok(limited.tiers.length <= 10);
});

test('promotions.tiers.listAll paginates with limit/page and has_more (contract list-promotion-tiers)', async () => {
  const { campaign } = await createPromotion();
  await addAmountTier(campaign.id);
  await addAmountTier(campaign.id);

  const all = await client.promotions.tiers.listAll({ limit: 100 });
  assertTierList(all, 'listAll(limit 100)');
  assert.ok(all.total >= 3);
  assert.equal(all.tiers.length, all.total);
  assert.equal(all.has_more, false);

  const page1 = await client.promotions.tiers.listAll({ limit: 1, page: 1 });
  assertTierList(page1, 'page 1');
  assert.equal(page1.tiers.length, 1);
  assert.equal(page1.total, all.total);
  assert.equal(page1.has_more, true);
  const page2 = await client.promotions.tiers.listAll({ limit: 1, page: 2 });
  assert.equal(page2.tiers.length, 1);
  assert.notEqual(page2.tiers[0].id, page1.tiers[0].id);
});

// ---------------------------------------------------------------------------------------------------------------
// Step 32: update

test('promotions.tiers.update({id, banner}) changes the banner only (kit #32)', async () => {
  const { campaign, tier } = await createPromotion(uniqueName('Promo update'), 'Updatable');

  const updated = await client.promotions.tiers.update({ id: tier.id, banner: 'New banner' });
  assertTierShape(updated, {
    id: tier.id, name: 'Updatable', banner: 'New banner', campaignId: campaign.id, discount: PERCENT_10,
  });
  assertIsoTimestamp(updated.updated_at, 'updated_at');

  const got = await client.promotions.tiers.get(tier.id);
  assert.equal(got.banner, 'New banner');
  assert.equal(got.name, 'Updatable');
  assert.equal(got.action.discount.percent_off, 10);
});

// ---------------------------------------------------------------------------------------------------------------
// Enable / disable (no SDK 2.9.0 method: raw HTTP)

test('POST /v1/promotions/tiers/{id}/disable and /enable toggle active (raw HTTP; contract disable-/enable-promotion-tier)', async () => {
  const { campaign, tier } = await createPromotion(uniqueName('Promo toggle'), 'Toggle');
  const other = await addAmountTier(campaign.id);

  const off = await raw('POST', `/v1/promotions/tiers/${encodeURIComponent(tier.id)}/disable`, {});
  assert.equal(off.status, 200, describeRes(off));
  assert.equal(off.json?.id, tier.id, describeRes(off));
  assert.equal(off.json.object, 'promotion_tier');
  assert.equal(off.json.active, false);

  const got = await client.promotions.tiers.get(tier.id);
  assert.equal(got.active, false);
  // The sibling tier is untouched.
  assert.equal((await client.promotions.tiers.get(other.id)).active, true);

  // A disabled tier is not "available"; without the filter it is still listed.
  const available = await client.promotions.tiers.listAll({ is_available: true, limit: 100 });
  assert.ok(!available.tiers.some((t) => t.id === tier.id), 'is_available:true must exclude a disabled tier');
  assert.ok(available.tiers.some((t) => t.id === other.id));
  const inCampaign = await client.promotions.tiers.list(campaign.id);
  assert.ok(inCampaign.tiers.some((t) => t.id === tier.id && t.active === false));

  const on = await raw('POST', `/v1/promotions/tiers/${encodeURIComponent(tier.id)}/enable`, {});
  assert.equal(on.status, 200, describeRes(on));
  assert.equal(on.json?.id, tier.id);
  assert.equal(on.json.active, true);
  assert.equal((await client.promotions.tiers.get(tier.id)).active, true);
});

// ---------------------------------------------------------------------------------------------------------------
// Stacks (SDK 2.9.0 promotions.stack.*)

test('promotions.stack.createInCampaign: {id:stack_…, name, campaign_id, object:promotion_stack, tiers:{ids, hierarchy_mode}} (contract create-promotion-stack)', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);

  const stack = await client.promotions.stack.createInCampaign(campaign.id, {
    name: 'Both tiers',
    tiers: { ids: [t2.id, t1.id], hierarchy_mode: 'MANUAL' },
  });
  assertStackShape(stack, { name: 'Both tiers', campaignId: campaign.id, ids: [t2.id, t1.id] });

  const got = await client.promotions.stack.get(campaign.id, stack.id);
  assertStackShape(got, { name: 'Both tiers', campaignId: campaign.id, ids: [t2.id, t1.id] });
  assert.equal(got.id, stack.id);
});

test('promotions.stack.listInCampaign and list: {object:list, data_ref:data, data:[…], total} (contract list-promotion-stacks-in-campaign, list-all-promotion-stacks)', async () => {
  const a = await createPromotion();
  const a2 = await addAmountTier(a.campaign.id);
  const b = await createPromotion();
  const b2 = await addAmountTier(b.campaign.id);

  const sa1 = await client.promotions.stack.createInCampaign(a.campaign.id,
    { name: 'A first', tiers: { ids: [a.tier.id, a2.id], hierarchy_mode: 'MANUAL' } });
  const sa2 = await client.promotions.stack.createInCampaign(a.campaign.id,
    { name: 'A second', tiers: { ids: [a2.id, a.tier.id], hierarchy_mode: 'MANUAL' } });
  const sb = await client.promotions.stack.createInCampaign(b.campaign.id,
    { name: 'B only', tiers: { ids: [b.tier.id, b2.id], hierarchy_mode: 'MANUAL' } });

  const inA = await client.promotions.stack.listInCampaign(a.campaign.id);
  assertStackList(inA, 'listInCampaign');
  assert.equal(inA.total, 2);
  assert.deepEqual(new Set(inA.data.map((s) => s.id)), new Set([sa1.id, sa2.id]));
  for (const s of inA.data) assert.equal(s.campaign_id, a.campaign.id);
  const first = inA.data.find((s) => s.id === sa1.id);
  assert.deepEqual(first.tiers, { ids: [a.tier.id, a2.id], hierarchy_mode: 'MANUAL' });

  const all = await client.promotions.stack.list();
  assertStackList(all, 'list');
  const allIds = all.data.map((s) => s.id);
  for (const id of [sa1.id, sa2.id, sb.id]) assert.ok(allIds.includes(id), `GET /v1/promotions/stacks must include ${id}`);
  assert.ok(all.total >= 3, `total ${all.total}`);
});

test('promotions.stack.update renames the stack, tiers unchanged (contract update-promotion-stack)', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  const stack = await client.promotions.stack.createInCampaign(campaign.id,
    { name: 'Old name', tiers: { ids: [t1.id, t2.id], hierarchy_mode: 'MANUAL' } });

  const updated = await client.promotions.stack.update(campaign.id, stack.id, { name: 'New name' });
  assertStackShape(updated, { name: 'New name', campaignId: campaign.id, ids: [t1.id, t2.id] });
  assert.equal(updated.id, stack.id);
  assertIsoTimestamp(updated.updated_at, 'stack.updated_at');

  const got = await client.promotions.stack.get(campaign.id, stack.id);
  assert.equal(got.name, 'New name');
  assert.deepEqual(got.tiers, { ids: [t1.id, t2.id], hierarchy_mode: 'MANUAL' });
});

test('DELETE /v1/promotions/{C}/stacks/{S} answers 204 with no body; the stack is gone (contract delete-promotion-stack)', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  const stack = await client.promotions.stack.createInCampaign(campaign.id,
    { name: 'Doomed', tiers: { ids: [t1.id, t2.id], hierarchy_mode: 'MANUAL' } });

  const res = await raw('DELETE',
    `/v1/promotions/${encodeURIComponent(campaign.id)}/stacks/${encodeURIComponent(stack.id)}`);
  assert.equal(res.status, 204, describeRes(res));
  assert.equal(res.text, '');

  await assertVoucherifyError(client.promotions.stack.get(campaign.id, stack.id), 404, 'not_found');
  const list = await client.promotions.stack.listInCampaign(campaign.id);
  assert.equal(list.total, 0);
  assert.deepEqual(list.data, []);
  // The tiers survive the stack.
  assert.equal((await client.promotions.tiers.get(t1.id)).id, t1.id);
});

test('promotions.stack.delete (SDK) removes the stack', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  const stack = await client.promotions.stack.createInCampaign(campaign.id,
    { name: 'SDK doomed', tiers: { ids: [t1.id, t2.id], hierarchy_mode: 'MANUAL' } });
  await client.promotions.stack.delete(campaign.id, stack.id);
  await assertVoucherifyError(client.promotions.stack.get(campaign.id, stack.id), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// Teardown: tier delete (kit #45i)

test('promotions.tiers.delete(T): the tier is gone, get rejects 404 not_found (kit #45i)', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);

  await client.promotions.tiers.delete(t2.id);
  await assertVoucherifyError(client.promotions.tiers.get(t2.id), 404, 'not_found');

  const list = await client.promotions.tiers.list(campaign.id);
  assert.deepEqual(list.tiers.map((t) => t.id), [t1.id]);
  assert.equal(list.total, 1);
  const all = await client.promotions.tiers.listAll({ limit: 100 });
  assert.ok(!all.tiers.some((t) => t.id === t2.id), 'a deleted tier must not be listed');
});

test('DELETE /v1/promotions/tiers/{id} answers 204 with no body (raw HTTP; kit #45i)', async () => {
  const { campaign } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  const res = await raw('DELETE', `/v1/promotions/tiers/${encodeURIComponent(t2.id)}`);
  assert.equal(res.status, 204, describeRes(res));
  assert.equal(res.text, '');
  await assertVoucherifyError(client.promotions.tiers.get(t2.id), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// Negatives

test('promotions.tiers.get of an unknown id: 404 not_found (kit #45j)', async () => {
  await assertVoucherifyError(client.promotions.tiers.get('promo_doesNotExist0000'), 404, 'not_found');
});

// Issue 18: the reference accepts a tier without an action (its SDK examples stack such tiers);
// it is stored, qualifies, and gives nothing.
test('promotions.tiers.create without action: stored, applicable, no discount', async () => {
  const { campaign } = await createPromotion();
  const tier = await client.promotions.tiers.create(campaign.id, { name: uniqueName('No action'), banner: 'Nothing' });
  assert.match(tier.id, /^promo_/);
  assert.equal(tier.action, null);
  const list = await client.promotions.tiers.list(campaign.id);
  assert.equal(list.total, 2);
  const res = await client.validations.validateStackable({
    redeemables: [{ object: 'promotion_tier', id: tier.id }],
    order: { amount: 5000 },
  });
  assert.equal(res.valid, true, JSON.stringify(res));
  assert.equal(res.redeemables[0].status, 'APPLICABLE');
  assert.equal(res.order.total_discount_amount ?? 0, 0);
});

test('promotions.tiers.create on a DISCOUNT_COUPONS campaign: 400', async () => {
  const coupons = await client.campaigns.create({
    name: uniqueName('Coupons, not a promotion'),
    campaign_type: 'DISCOUNT_COUPONS',
    type: 'AUTO_UPDATE',
    vouchers_count: 1,
    voucher: {
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'PERCENT', percent_off: 5 },
      code_config: { pattern: 'NOTPROMO-####' },
    },
  });
  assert.match(coupons.id, CAMP_ID);
  assert.equal(coupons.campaign_type, 'DISCOUNT_COUPONS');
  await assertVoucherifyError(
    client.promotions.tiers.create(coupons.id, {
      name: uniqueName('Misplaced tier'), banner: 'Nope', action: { discount: AMOUNT_1000 },
    }),
    400, null);
});

test('promotions.stack.createInCampaign with a tier id listed twice: 400', async () => {
  const { campaign, tier: t1 } = await createPromotion();
  const t2 = await addAmountTier(campaign.id);
  await assertVoucherifyError(
    client.promotions.stack.createInCampaign(campaign.id,
      { name: 'Twice', tiers: { ids: [t1.id, t2.id, t1.id], hierarchy_mode: 'MANUAL' } }),
    400, null);
  const list = await client.promotions.stack.listInCampaign(campaign.id);
  assert.equal(list.total, 0, 'a rejected stack must not be stored');
});
