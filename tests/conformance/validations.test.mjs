// Validation rules, rule assignments and validations through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 13, 14, 15 and 30 (validation_rules:[R1]), 33, 34,
// 38, 39, the `validationRules.deleteAssignment` / `validationRules.delete` teardown of 45i and the stackable
// validation negatives of 45j. Contract: shared/contract/readOnly-openAPI.json, operations
// create-/get-/update-/list-/delete-validation-rule(s), create-/list-/delete-validation-rule-assignment(s),
// validate-stacked-discounts (ValidationsValidateResponseBody), and the deprecated validate-voucher of
// shared/contract/legacy/validations.json (VouchersValidateValidResponseBody / ...InvalidResponseBody).
//
// SDK 2.9.0 methods used: validationRules.{create,get,update,list,delete,createAssignment,listAssignments,
// deleteAssignment}, validations.{validateStackable,validateVoucher}. Raw fetch is used only where the HTTP
// status itself (204 on delete) is checked, and for promotion-tier disable (no SDK 2.9.0 method).
//
// quantity_exceeded after redemptions and session lock enforcement are in redemptions.test.mjs.
// `options.expand:["explain"]` is an OpenPromo extension: each redeemable gets an `explain` list of steps.
//
// The cart used throughout (amounts in minor units):
//   2 x shoes  @ 5000 = 10000   (source_id "shoes", related_object "product")
//   4 x socks  @ 1500 =  6000   (product_id of the "socks" product)
//   1 x hat    @ 4000 =  4000   (source_id "hat", related_object "product")
//                      -----
//                      20000

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { rawRequest } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const RULE_ID = /^val_[0-9a-zA-Z]+$/;
const ASGM_ID = /^asgm_[0-9a-zA-Z]+$/;
const CAMP_ID = /^camp_[0-9a-zA-Z]+$/;
const TIER_ID = /^promo_[0-9a-zA-Z]+$/;
const VOUCHER_ID = /^v_[0-9a-zA-Z]+$/;
const TTL_UNITS = ['DAYS', 'HOURS', 'MICROSECONDS', 'MILLISECONDS', 'MINUTES', 'NANOSECONDS', 'SECONDS'];

const MIN_ORDER_MESSAGE = 'Order must be more than $100';

let srv;
let client;
let socks; // product created in before(); the cart refers to it by product_id
let minOrderRule; // "order.amount > 10000" with a custom error message, shared by several tests

before(async () => {
  srv = await startServer();
  client = srv.client;
  await client.products.create({ source_id: 'shoes', name: 'Running shoes', price: 5000 });
  socks = await client.products.create({ source_id: 'socks', name: 'Socks', price: 1500 });
  await client.products.create({ source_id: 'hat', name: 'Hat', price: 4000 });
  minOrderRule = await client.validationRules.create(minOrderRuleBody('Shared min order'));
  assert.match(minOrderRule.id ?? '', RULE_ID, `validationRules.create response ${JSON.stringify(minOrderRule)}`);
});

after(async () => {
  await srv?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

// Raw HTTP with the harness's credentials. `body` undefined sends no body (as the SDK does for GET/DELETE).
const raw = (method, path, body) => rawRequest(srv, method, path, body);

const describeRes = (r) => `HTTP ${r.status}: ${r.text}`;
const j = (x) => JSON.stringify(x);

let counter = 0;
const uniq = (base) => `${base}-${++counter}`;

// Kit step 13's rule body: order.amount > 10000 (strictly), with a custom error message.
function minOrderRuleBody(name, threshold = 10000, message = MIN_ORDER_MESSAGE) {
  return {
    name,
    type: 'basic',
    rules: {
      1: { name: 'order.amount', conditions: { $more_than: [threshold] }, rules: {} },
      logic: '1',
    },
    error: { message },
  };
}

// The 20000 cart described at the top of the file. A fresh object each time.
function fullCart() {
  return {
    amount: 20000,
    items: [
      { source_id: 'shoes', related_object: 'product', quantity: 2, price: 5000 },
      { product_id: socks.id, quantity: 4, price: 1500 },
      { source_id: 'hat', related_object: 'product', quantity: 1, price: 4000 },
    ],
  };
}

// A 4000 cart: below the 10000 minimum of minOrderRule.
function smallCart() {
  return { amount: 4000, items: [{ source_id: 'hat', related_object: 'product', quantity: 1, price: 4000 }] };
}

// Exactly 10000: `$more_than: [10000]` is strict, so this fails the minimum too.
function boundaryCart() {
  return { amount: 10000, items: [{ source_id: 'shoes', related_object: 'product', quantity: 2, price: 5000 }] };
}

const CUSTOMER = { source_id: 'validations-cust-1' };

function validate(redeemables, { order = fullCart(), customer = CUSTOMER, ...rest } = {}) {
  return client.validations.validateStackable({ customer, order, redeemables, ...rest });
}

async function createDiscountVoucher(code, discount, extra = {}) {
  const v = await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount, ...extra });
  assert.equal(v.code, code, `vouchers.create response ${j(v)}`);
  return v;
}

// A PROMOTION campaign with one tier; returns {campaign, tier}.
async function createPromotion(discount, tierExtra = {}) {
  const name = uniq('Promo');
  const campaign = await client.promotions.create({
    name,
    campaign_type: 'PROMOTION',
    promotion: { tiers: [{ name: `${name} tier`, banner: `${name} banner`, action: { discount }, ...tierExtra }] },
  });
  assert.match(campaign.id ?? '', CAMP_ID, `promotions.create response ${j(campaign)}`);
  const tier = campaign.promotion?.tiers?.[0];
  assert.match(tier?.id ?? '', TIER_ID, `promotion.tiers in ${j(campaign)}`);
  return { campaign, tier };
}

// A DISCOUNT_COUPONS campaign (no generated codes) plus one voucher with a chosen code.
async function createCouponCampaign(discount, extra = {}) {
  const name = uniq('Coupons');
  const campaign = await client.campaigns.create({
    name,
    type: 'AUTO_UPDATE',
    voucher: { type: 'DISCOUNT_VOUCHER', discount },
    ...extra,
  });
  assert.match(campaign.id ?? '', CAMP_ID, `campaigns.create response ${j(campaign)}`);
  const code = uniq('CPN').toUpperCase();
  const voucher = await client.campaigns.addCertainVoucher(campaign.id, code);
  assert.equal(voucher.code, code, `addCertainVoucher response ${j(voucher)}`);
  return { campaign, voucher, code };
}

function assertRuleShape(r, expected) {
  assert.match(r.id ?? '', RULE_ID, `rule id in ${j(r)}`);
  assert.equal(r.object, 'validation_rules');
  assert.equal(r.name, expected.name);
  assert.deepEqual(r.rules, expected.rules);
  if (expected.error) assert.deepEqual(r.error, expected.error);
  if (expected.type) assert.equal(r.type, expected.type);
  assert.equal(typeof r.context_type, 'string', `context_type in ${j(r)}`);
  assert.equal(typeof r.applicable_to, 'object', `applicable_to in ${j(r)}`);
  assert.ok(r.applicable_to !== null, `applicable_to must be an object in ${j(r)}`);
  assert.ok(Number.isInteger(r.assignments_count), `assignments_count must be an integer in ${j(r)}`);
  assertIsoTimestamp(r.created_at, 'rule.created_at');
}

function assertAssignment(a, { ruleId, objectId, objectType }) {
  assert.match(a.id ?? '', ASGM_ID, `assignment id in ${j(a)}`);
  assert.equal(a.object, 'validation_rules_assignment');
  assert.equal(a.rule_id, ruleId);
  assert.equal(a.related_object_id, objectId);
  assert.equal(a.related_object_type, objectType);
  assertIsoTimestamp(a.created_at, 'assignment.created_at');
}

// An assignments list (ValidationRuleAssignmentsList / ValidationRulesAssignmentsList) holding exactly `expected`.
function assertAssignmentList(list, expected, label) {
  assert.ok(list && typeof list === 'object', `${label} must be an object, got ${j(list)}`);
  assert.equal(list.object, 'list', `${label}.object in ${j(list)}`);
  assert.equal(list.data_ref, 'data', `${label}.data_ref in ${j(list)}`);
  assert.ok(Array.isArray(list.data), `${label}.data must be an array in ${j(list)}`);
  assert.equal(list.total, expected.length, `${label}.total in ${j(list)}`);
  assert.equal(list.data.length, expected.length, `${label}.data length in ${j(list)}`);
  for (const e of expected) {
    const a = list.data.find((x) => x.rule_id === e.ruleId && x.related_object_id === e.objectId);
    assert.ok(a, `${label} has no assignment of ${e.ruleId} to ${e.objectId}: ${j(list)}`);
    assertAssignment(a, e);
  }
}

function assertOrderTotals(order, expected, label) {
  assert.ok(order && typeof order === 'object', `${label} must be an object`);
  assert.equal(order.object, 'order', `${label}.object`);
  for (const [k, v] of Object.entries(expected)) {
    assert.equal(order[k], v, `${label}.${k} (order ${j({ ...order, items: undefined })})`);
  }
}

function assertListShape(list, label) {
  assert.ok(list && typeof list === 'object', `${label} must be an object`);
  assert.equal(list.object, 'list', `${label}.object`);
  assert.equal(list.data_ref, 'data', `${label}.data_ref`);
  assert.ok(Array.isArray(list.data), `${label}.data must be an array`);
  assert.equal(list.total, list.data.length, `${label}.total`);
}

// A validation answer with a single INAPPLICABLE redeemable carrying `key`.
function assertSingleInapplicable(res, { id, object = 'voucher', key, code = 400 }) {
  const ctx = `response ${j(res)}`;
  assert.equal(res.valid, false, ctx);
  assert.equal(res.redeemables?.length, 1, ctx);
  const [r] = res.redeemables;
  assert.equal(r.status, 'INAPPLICABLE', ctx);
  assert.equal(r.id, id, ctx);
  assert.equal(r.object, object, ctx);
  assert.equal(r.result?.error?.key, key, ctx);
  assert.equal(r.result.error.code, code, ctx);
  assert.equal(typeof r.result.error.message, 'string', ctx);
  assert.ok(r.result.error.message.length > 0, ctx);
  assert.deepEqual(res.inapplicable_redeemables?.map((x) => [x.id, x.status, x.result?.error?.key]),
    [[id, 'INAPPLICABLE', key]], ctx);
  assert.equal('skipped_redeemables' in res, false, ctx);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Kit 13-14: validation rules CRUD

test('validationRules.create: id val_…, object validation_rules, rules, error, type, context_type, assignments_count 0 (kit #13)', async () => {
  const body = minOrderRuleBody(uniq('Min order'));
  const r = await client.validationRules.create(body);
  assertRuleShape(r, body);
  assert.equal(r.assignments_count, 0);
  assert.equal(r.context_type, 'global', 'context_type defaults to "global" (contract ValidationRuleBase)');
});

test('validationRules.create keeps applicable_to as sent', async () => {
  const applicableTo = { included: [{ object: 'product', id: socks.id, source_id: 'socks' }], excluded: [] };
  const r = await client.validationRules.create({ name: uniq('Socks only'), rules: {}, applicable_to: applicableTo });
  assert.match(r.id, RULE_ID);
  assert.equal(r.object, 'validation_rules');
  assert.deepEqual(r.applicable_to.included, applicableTo.included, `applicable_to in ${j(r)}`);
  assert.deepEqual(r.applicable_to.excluded, [], `applicable_to in ${j(r)}`);
});

test('validationRules.get / update({id,name}) / list({limit}) (kit #14)', async () => {
  const body = minOrderRuleBody(uniq('Get update list'));
  const created = await client.validationRules.create(body);

  const got = await client.validationRules.get(created.id);
  assertRuleShape(got, body);
  assert.equal(got.id, created.id);
  assert.equal(got.created_at, created.created_at);

  const newName = uniq('Renamed rule');
  const updated = await client.validationRules.update({ id: created.id, name: newName });
  assert.equal(updated.id, created.id);
  assert.equal(updated.object, 'validation_rules');
  assert.equal(updated.name, newName);
  assert.deepEqual(updated.rules, body.rules, 'a name-only update keeps the rules');
  assert.deepEqual(updated.error, body.error, 'a name-only update keeps the error message');
  assertIsoTimestamp(updated.updated_at, 'rule.updated_at');
  assert.equal((await client.validationRules.get(created.id)).name, newName);

  const list = await client.validationRules.list({ limit: 10 });
  assert.equal(list.object, 'list');
  assert.equal(list.data_ref, 'data');
  assert.ok(Array.isArray(list.data), 'data must be an array');
  assert.ok(Number.isInteger(list.total), `total must be an integer, got ${list.total}`);
  assert.ok(list.data.length <= 10, 'limit=10 is honoured');
  assert.ok(list.total >= 3, `at least the rules created so far are counted, total=${list.total}`);
  for (const r of list.data) {
    assert.equal(r.object, 'validation_rules');
    assert.match(r.id, RULE_ID);
  }
  const two = await client.validationRules.list({ limit: 2 });
  assert.equal(two.data.length, 2, 'limit=2 returns two rules');
});

test('validationRules.get of an unknown id rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.validationRules.get('val_doesnotexist0'), 404, 'not_found');
});

test('validationRules.create with invalid rules rejects with 400 invalid_validation_rules', async () => {
  const cases = {
    'unknown rule name': {
      1: { name: 'order.no_such_attribute', conditions: { $is: [1] }, rules: {} }, logic: '1',
    },
    'logic referencing a missing node': {
      1: { name: 'order.amount', conditions: { $more_than: [100] }, rules: {} }, logic: '1 and 2',
    },
    'metadata rule without property': {
      1: { name: 'customer.metadata', conditions: { $is: ['gold'] }, rules: {} }, logic: '1',
    },
  };
  for (const [label, rules] of Object.entries(cases)) {
    await assertVoucherifyError(client.validationRules.create({ name: uniq(label), rules }), 400,
      'invalid_validation_rules').catch((err) => { err.message = `${label}: ${err.message}`; throw err; });
  }
});

test('validationRules.update changes how validations judge the order', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Mutable min')));
  const code = uniq('UPD-RULE').toUpperCase();
  await createDiscountVoucher(code, { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ORDER' },
    { validation_rules: [rule.id] });

  assertSingleInapplicable(await validate([{ object: 'voucher', id: code }], { order: smallCart() }),
    { id: code, key: 'order_rules_violated' });

  const lowered = minOrderRuleBody(rule.name, 3000);
  const updated = await client.validationRules.update({ id: rule.id, rules: lowered.rules });
  assert.deepEqual(updated.rules, lowered.rules);

  const res = await validate([{ object: 'voucher', id: code }], { order: smallCart() });
  assert.equal(res.valid, true, `after lowering the minimum to 3000 a 4000 cart passes: ${j(res)}`);
  assert.equal(res.redeemables[0].status, 'APPLICABLE');
  assertOrderTotals(res.order, { amount: 4000, discount_amount: 500, total_discount_amount: 500, total_amount: 3500 },
    'order');
});

test('validationRules.delete answers 204; afterwards get is 404 (kit #45i)', async () => {
  const r1 = await client.validationRules.create(minOrderRuleBody(uniq('Delete raw')));
  const res = await raw('DELETE', `/v1/validation-rules/${encodeURIComponent(r1.id)}`);
  assert.equal(res.status, 204, describeRes(res));
  assert.equal(res.text, '', 'a 204 has no body');
  await assertVoucherifyError(client.validationRules.get(r1.id), 404, 'not_found');

  const r2 = await client.validationRules.create(minOrderRuleBody(uniq('Delete sdk')));
  await client.validationRules.delete(r2.id);
  await assertVoucherifyError(client.validationRules.get(r2.id), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// Kit 15 / 30 and vouchers: validation_rules:[R1] on create assigns the rule

test('campaigns.create with validation_rules:[R1] returns validation_rules_assignments with R1 (kit #15)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Campaign rule')));
  const { campaign } = await createCouponCampaign({ type: 'PERCENT', percent_off: 10 }, { validation_rules: [rule.id] });
  const expected = [{ ruleId: rule.id, objectId: campaign.id, objectType: 'campaign' }];
  assertAssignmentList(campaign.validation_rules_assignments, expected, 'campaign.validation_rules_assignments');

  const got = await client.campaigns.get(campaign.id);
  assertAssignmentList(got.validation_rules_assignments, expected, 'campaigns.get validation_rules_assignments');

  assertAssignmentList(await client.validationRules.listAssignments(rule.id), expected, 'listAssignments');
  assert.equal((await client.validationRules.get(rule.id)).assignments_count, 1);
});

test('vouchers.create with validation_rules:[R1] returns validation_rules_assignments with R1', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Voucher rule')));
  const v = await createDiscountVoucher(uniq('V-RULE').toUpperCase(), { type: 'PERCENT', percent_off: 10 },
    { validation_rules: [rule.id] });
  assert.match(v.id, VOUCHER_ID);
  const expected = [{ ruleId: rule.id, objectId: v.id, objectType: 'voucher' }];
  assertAssignmentList(v.validation_rules_assignments, expected, 'vouchers.create validation_rules_assignments');
  assertAssignmentList(await client.validationRules.listAssignments(rule.id), expected, 'listAssignments');
});

test('vouchers.get shows the voucher\'s validation_rules_assignments (contract Voucher.validation_rules_assignments)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Voucher get rule')));
  const code = uniq('V-GET-RULE').toUpperCase();
  const v = await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 }, { validation_rules: [rule.id] });
  const got = await client.vouchers.get(code);
  assertAssignmentList(got.validation_rules_assignments,
    [{ ruleId: rule.id, objectId: v.id, objectType: 'voucher' }], 'vouchers.get validation_rules_assignments');
});

test('promotions.tiers.create with validation_rules:[R1] returns validation_rule_assignments with R1 (kit #30)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Tier rule')));
  const { campaign } = await createPromotion({ type: 'PERCENT', percent_off: 10 });
  const tier = await client.promotions.tiers.create(campaign.id, {
    name: uniq('Ruled tier'),
    banner: '$10 off orders over $100',
    action: { discount: { type: 'AMOUNT', amount_off: 1000 } },
    validation_rules: [rule.id],
  });
  assert.match(tier.id, TIER_ID);
  assert.equal(tier.campaign_id, campaign.id);
  const expected = [{ ruleId: rule.id, objectId: tier.id, objectType: 'promotion_tier' }];
  assertAssignmentList(tier.validation_rule_assignments, expected, 'tier.validation_rule_assignments');
  assertAssignmentList((await client.promotions.tiers.get(tier.id)).validation_rule_assignments, expected,
    'promotions.tiers.get validation_rule_assignments');

  // The rule is enforced for the tier: 4000 fails, 20000 passes with $10 off.
  assertSingleInapplicable(await validate([{ object: 'promotion_tier', id: tier.id }], { order: smallCart() }),
    { id: tier.id, object: 'promotion_tier', key: 'order_rules_violated' });
  const ok = await validate([{ object: 'promotion_tier', id: tier.id }]);
  assert.equal(ok.valid, true, j(ok));
  assertOrderTotals(ok.order, { amount: 20000, discount_amount: 1000, total_discount_amount: 1000, total_amount: 19000 },
    'order');
});

test('campaigns.create with an unknown rule id in validation_rules is rejected with 404 and creates nothing', async () => {
  const name = uniq('Bad rule campaign');
  await assertVoucherifyError(client.campaigns.create({
    name, type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    validation_rules: ['val_doesnotexist0'],
  }), 404, 'not_found');
  await assertVoucherifyError(client.campaigns.get(name), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// Kit 33-34 and 45i: assignments

test('validationRules.createAssignment, legacy {voucher|campaign|promotion_tier} bodies (kit #33) and listAssignments (kit #34)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Legacy assignments')));
  const v = await createDiscountVoucher(uniq('ASG-V').toUpperCase(), { type: 'PERCENT', percent_off: 10 });
  const { campaign } = await createCouponCampaign({ type: 'PERCENT', percent_off: 5 });
  const { tier } = await createPromotion({ type: 'PERCENT', percent_off: 15 });

  const av = await client.validationRules.createAssignment(rule.id, { voucher: v.id });
  assertAssignment(av, { ruleId: rule.id, objectId: v.id, objectType: 'voucher' });
  const ac = await client.validationRules.createAssignment(rule.id, { campaign: campaign.id });
  assertAssignment(ac, { ruleId: rule.id, objectId: campaign.id, objectType: 'campaign' });
  const at = await client.validationRules.createAssignment(rule.id, { promotion_tier: tier.id });
  assertAssignment(at, { ruleId: rule.id, objectId: tier.id, objectType: 'promotion_tier' });
  assert.equal(new Set([av.id, ac.id, at.id]).size, 3, 'assignment ids are distinct');

  const list = await client.validationRules.listAssignments(rule.id);
  assertAssignmentList(list, [
    { ruleId: rule.id, objectId: v.id, objectType: 'voucher' },
    { ruleId: rule.id, objectId: campaign.id, objectType: 'campaign' },
    { ruleId: rule.id, objectId: tier.id, objectType: 'promotion_tier' },
  ], 'listAssignments');
  assert.equal((await client.validationRules.get(rule.id)).assignments_count, 3);
});

test('validationRules.createAssignment accepts the spec body {related_object_type, related_object_id} (kit #33)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Spec assignments')));
  const v = await createDiscountVoucher(uniq('ASG-SPEC').toUpperCase(), { type: 'PERCENT', percent_off: 10 });
  const { tier } = await createPromotion({ type: 'PERCENT', percent_off: 15 });

  const av = await client.validationRules.createAssignment(rule.id,
    { related_object_type: 'voucher', related_object_id: v.id });
  assertAssignment(av, { ruleId: rule.id, objectId: v.id, objectType: 'voucher' });
  const at = await client.validationRules.createAssignment(rule.id,
    { related_object_type: 'promotion_tier', related_object_id: tier.id });
  assertAssignment(at, { ruleId: rule.id, objectId: tier.id, objectType: 'promotion_tier' });

  assertAssignmentList(await client.validationRules.listAssignments(rule.id), [
    { ruleId: rule.id, objectId: v.id, objectType: 'voucher' },
    { ruleId: rule.id, objectId: tier.id, objectType: 'promotion_tier' },
  ], 'listAssignments');
});

test('an assignment made later is enforced; deleteAssignment answers 204 and lifts it (kit #33, #45i)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('Assign then delete')));
  const code = uniq('ASG-DEL').toUpperCase();
  const v = await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 });

  // Without the rule, a 4000 cart gets 10% = 400.
  let res = await validate([{ object: 'voucher', id: code }], { order: smallCart() });
  assert.equal(res.valid, true, j(res));
  assertOrderTotals(res.order, { discount_amount: 400, total_amount: 3600 }, 'order');

  const a = await client.validationRules.createAssignment(rule.id, { voucher: v.id });
  res = await validate([{ object: 'voucher', id: code }], { order: smallCart() });
  const r = assertSingleInapplicable(res, { id: code, key: 'order_rules_violated' });
  assert.equal(r.result.error.error?.message, MIN_ORDER_MESSAGE, `rule message in ${j(r)}`);

  const del = await raw('DELETE',
    `/v1/validation-rules/${encodeURIComponent(rule.id)}/assignments/${encodeURIComponent(a.id)}`);
  assert.equal(del.status, 204, describeRes(del));
  assert.equal(del.text, '', 'a 204 has no body');
  assertAssignmentList(await client.validationRules.listAssignments(rule.id), [], 'listAssignments after delete');
  assert.equal((await client.validationRules.get(rule.id)).assignments_count, 0);

  res = await validate([{ object: 'voucher', id: code }], { order: smallCart() });
  assert.equal(res.valid, true, `the rule no longer applies after deleteAssignment: ${j(res)}`);
  assertOrderTotals(res.order, { discount_amount: 400, total_amount: 3600 }, 'order');
});

test('validationRules.deleteAssignment (SDK) removes only that assignment (kit #45i)', async () => {
  const rule = await client.validationRules.create(minOrderRuleBody(uniq('SDK delete assignment')));
  const v1 = await createDiscountVoucher(uniq('ASG-SDK').toUpperCase(), { type: 'PERCENT', percent_off: 10 });
  const v2 = await createDiscountVoucher(uniq('ASG-SDK').toUpperCase(), { type: 'PERCENT', percent_off: 10 });
  const a1 = await client.validationRules.createAssignment(rule.id, { voucher: v1.id });
  await client.validationRules.createAssignment(rule.id, { voucher: v2.id });

  await client.validationRules.deleteAssignment(rule.id, a1.id);
  assertAssignmentList(await client.validationRules.listAssignments(rule.id),
    [{ ruleId: rule.id, objectId: v2.id, objectType: 'voucher' }], 'listAssignments');
  await assertVoucherifyError(client.validationRules.deleteAssignment(rule.id, a1.id), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// Kit 38: POST /v1/validations

test('validateStackable: voucher $10 off, tier 20% off and GIFT card 500 credits on a 20000 cart (kit #38)', async () => {
  const amountCode = uniq('TENOFF').toUpperCase();
  await createDiscountVoucher(amountCode, { type: 'AMOUNT', amount_off: 1000, effect: 'APPLY_TO_ORDER' });
  const { campaign: promo, tier } = await createPromotion({ type: 'PERCENT', percent_off: 20, effect: 'APPLY_TO_ORDER' });
  const giftCode = uniq('GIFT').toUpperCase();
  await client.vouchers.create({ code: giftCode, type: 'GIFT_VOUCHER', gift: { amount: 10000 } });

  const res = await validate([
    { object: 'voucher', id: amountCode },
    { object: 'promotion_tier', id: tier.id },
    { object: 'voucher', id: giftCode, gift: { credits: 500 } },
  ], { session: { type: 'LOCK' }, options: { expand: ['order', 'redeemable', 'category'] } });
  const ctx = `response ${j(res)}`;

  assert.match(res.id ?? '', /^valid_[0-9a-zA-Z]+$/, ctx);
  assert.equal(res.valid, true, ctx);
  assert.deepEqual(res.redeemables.map((r) => [r.status, r.object, r.id]), [
    ['APPLICABLE', 'voucher', amountCode],
    ['APPLICABLE', 'promotion_tier', tier.id],
    ['APPLICABLE', 'voucher', giftCode],
  ], ctx);
  assert.equal('inapplicable_redeemables' in res, false, ctx);
  assert.equal('skipped_redeemables' in res, false, ctx);

  const [rv, rt, rg] = res.redeemables;
  assert.equal(rv.result?.discount?.type, 'AMOUNT', ctx);
  assert.equal(rv.result.discount.amount_off, 1000, ctx);
  assert.equal(rv.result.discount.effect, 'APPLY_TO_ORDER', ctx);
  assert.equal(rt.result?.discount?.type, 'PERCENT', ctx);
  assert.equal(rt.result.discount.percent_off, 20, ctx);
  assert.equal(rt.campaign_id, promo.id, ctx);
  assert.equal(rg.result?.gift?.credits, 500, ctx);
  for (const r of res.redeemables) {
    assert.equal(r.order?.object, 'order', `redeemable ${r.id} order in ${ctx}`);
    assert.equal(r.order.amount, 20000, `redeemable ${r.id} order.amount`);
    assertListShape(r.applicable_to, `redeemable ${r.id} applicable_to`);
    assertListShape(r.inapplicable_to, `redeemable ${r.id} inapplicable_to`);
    assert.ok(Array.isArray(r.categories), `redeemable ${r.id} categories must be an array`);
  }

  // 1000 off 20000 -> 19000; 20% of 19000 = 3800 -> 15200; 500 gift credits -> 14700.
  assertOrderTotals(res.order, {
    amount: 20000,
    discount_amount: 5300,
    items_discount_amount: 0,
    total_discount_amount: 5300,
    total_amount: 14700,
    applied_discount_amount: 5300,
  }, 'order');
  assert.deepEqual(res.order.items.map((i) => [i.object, i.source_id ?? i.product_id, i.quantity, i.price, i.amount]), [
    ['order_item', 'shoes', 2, 5000, 10000],
    ['order_item', socks.id, 4, 1500, 6000],
    ['order_item', 'hat', 1, 4000, 4000],
  ], `order.items ${j(res.order.items)}`);
  assert.equal(res.order.items[1].product_id, socks.id);

  assert.equal(typeof res.tracking_id, 'string', ctx);
  assert.ok(res.tracking_id.length > 0, ctx);
  assert.equal(typeof res.session?.key, 'string', ctx);
  assert.ok(res.session.key.length > 0, 'a generated session key');
  assert.equal(res.session.type, 'LOCK');
  assert.equal(typeof res.session.ttl, 'number', ctx);
  assert.ok(TTL_UNITS.includes(res.session.ttl_unit), `session.ttl_unit ${res.session.ttl_unit}`);
  assert.equal(typeof res.stacking_rules, 'object', ctx);
  assert.equal(res.stacking_rules.redeemables_application_mode, 'ALL', ctx);
  assert.equal(res.stacking_rules.redeemables_sorting_rule, 'REQUESTED_ORDER', ctx);
  assert.ok(Number.isInteger(res.stacking_rules.redeemables_limit), ctx);
  assert.ok(Number.isInteger(res.stacking_rules.applicable_redeemables_limit), ctx);
});

test('validateStackable applies discounts in order on what is left: 10% of 20000, then $10 (AMOUNT after PERCENT)', async () => {
  const pctCode = uniq('PCT10').toUpperCase();
  await createDiscountVoucher(pctCode, { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ORDER' });
  const { tier } = await createPromotion({ type: 'AMOUNT', amount_off: 1000, effect: 'APPLY_TO_ORDER' });

  const res = await validate([{ object: 'voucher', id: pctCode }, { object: 'promotion_tier', id: tier.id }]);
  assert.equal(res.valid, true, j(res));
  // 10% of 20000 = 2000, then 1000 -> 3000 in all, 17000 to pay.
  assertOrderTotals(res.order, {
    amount: 20000, discount_amount: 3000, total_discount_amount: 3000, total_amount: 17000, applied_discount_amount: 3000,
  }, 'order');

  // Reversed: 1000 first, then 10% of 19000 = 1900 -> 2900.
  const rev = await validate([{ object: 'promotion_tier', id: tier.id }, { object: 'voucher', id: pctCode }]);
  assert.equal(rev.valid, true, j(rev));
  assertOrderTotals(rev.order, { discount_amount: 2900, total_discount_amount: 2900, total_amount: 17100 }, 'order');
});

test('validateStackable echoes a session key that was sent', async () => {
  const code = uniq('SESS').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 });
  const res = await validate([{ object: 'voucher', id: code }], { session: { type: 'LOCK', key: 'ssn_my_own_key' } });
  assert.equal(res.valid, true, j(res));
  assert.equal(res.session?.key, 'ssn_my_own_key', `session in ${j(res)}`);
  assert.equal(res.session.type, 'LOCK');
});

test('a rule\'s applicable_to limits an APPLY_TO_ITEMS discount to the matching items', async () => {
  const rule = await client.validationRules.create({
    name: uniq('Socks only'),
    rules: {},
    applicable_to: { included: [{ object: 'product', id: socks.id, source_id: 'socks' }], excluded: [] },
  });
  const code = uniq('HALF-SOCKS').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' },
    { validation_rules: [rule.id] });

  const res = await validate([{ object: 'voucher', id: code }]);
  assert.equal(res.valid, true, j(res));
  // 50% of the socks line (6000) = 3000; nothing else is discounted.
  assertOrderTotals(res.order, {
    amount: 20000, discount_amount: 0, items_discount_amount: 3000, total_discount_amount: 3000, total_amount: 17000,
  }, 'order');
  assert.deepEqual(res.order.items.map((i) => [i.discount_amount ?? 0, i.subtotal_amount]),
    [[0, 10000], [3000, 3000], [0, 4000]], `order.items ${j(res.order.items)}`);
  const applicableTo = res.redeemables[0].applicable_to;
  assertListShape(applicableTo, 'applicable_to');
  assert.ok(applicableTo.data.some((t) => t.id === socks.id && t.object === 'product'),
    `applicable_to lists the socks product: ${j(applicableTo)}`);
});

test('order rules: R1 (order.amount > 10000) rejects 4000 and exactly 10000 with the rule\'s message, passes 20000', async () => {
  const code = uniq('MIN-ORDER').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 }, { validation_rules: [minOrderRule.id] });

  for (const order of [smallCart(), boundaryCart()]) {
    const res = await validate([{ object: 'voucher', id: code }], { order });
    const r = assertSingleInapplicable(res, { id: code, key: 'order_rules_violated' });
    assert.equal(r.result.error.error?.message, MIN_ORDER_MESSAGE,
      `result.error.error.message must be the rule's error.message (kit #45j): ${j(r)}`);
    assertOrderTotals(res.order, { amount: order.amount, total_discount_amount: 0, total_amount: order.amount }, 'order');
  }

  const ok = await validate([{ object: 'voucher', id: code }]);
  assert.equal(ok.valid, true, j(ok));
  assert.equal(ok.redeemables[0].status, 'APPLICABLE');
  assertOrderTotals(ok.order, { amount: 20000, discount_amount: 2000, total_discount_amount: 2000, total_amount: 18000 },
    'order');
});

test('a rule assigned to the campaign applies to its vouchers; campaign_id and campaign_name are reported', async () => {
  const { campaign, code } = await createCouponCampaign({ type: 'PERCENT', percent_off: 10 },
    { validation_rules: [minOrderRule.id] });

  const bad = await validate([{ object: 'voucher', id: code }], { order: smallCart() });
  const r = assertSingleInapplicable(bad, { id: code, key: 'order_rules_violated' });
  assert.equal(r.result.error.error?.message, MIN_ORDER_MESSAGE, j(r));

  const ok = await validate([{ object: 'voucher', id: code }]);
  assert.equal(ok.valid, true, j(ok));
  assert.equal(ok.redeemables[0].campaign_id, campaign.id, j(ok.redeemables[0]));
  assert.equal(ok.redeemables[0].campaign_name, campaign.name, j(ok.redeemables[0]));
  assertOrderTotals(ok.order, { discount_amount: 2000, total_amount: 18000 }, 'order');
});

test('customer rules: customer.metadata.tier is "gold" -> customer_rules_violated for silver, APPLICABLE for gold', async () => {
  const rule = await client.validationRules.create({
    name: uniq('Gold customers'),
    type: 'basic',
    rules: { 1: { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] }, rules: {} }, logic: '1' },
    error: { message: 'Gold members only' },
  });
  const code = uniq('GOLD').toUpperCase();
  await createDiscountVoucher(code, { type: 'AMOUNT', amount_off: 1500, effect: 'APPLY_TO_ORDER' },
    { validation_rules: [rule.id] });

  const silver = await validate([{ object: 'voucher', id: code }],
    { customer: { source_id: 'silver-1', metadata: { tier: 'silver' } } });
  const r = assertSingleInapplicable(silver, { id: code, key: 'customer_rules_violated' });
  assert.equal(r.result.error.error?.message, 'Gold members only', j(r));

  const gold = await validate([{ object: 'voucher', id: code }],
    { customer: { source_id: 'gold-1', metadata: { tier: 'gold' } } });
  assert.equal(gold.valid, true, j(gold));
  assertOrderTotals(gold.order, { discount_amount: 1500, total_amount: 18500 }, 'order');
});

test('INAPPLICABLE keys: voucher_disabled, voucher_expired, voucher_not_active, not_found, promotion_inactive (kit #45j)', async () => {
  const pct = { type: 'PERCENT', percent_off: 10 };

  const disabled = uniq('DISABLED').toUpperCase();
  await createDiscountVoucher(disabled, pct);
  await client.vouchers.disable(disabled);
  assertSingleInapplicable(await validate([{ object: 'voucher', id: disabled }]), { id: disabled, key: 'voucher_disabled' });

  const { campaign, code: inDisabledCampaign } = await createCouponCampaign(pct);
  await client.campaigns.disable(campaign.id);
  assertSingleInapplicable(await validate([{ object: 'voucher', id: inDisabledCampaign }]),
    { id: inDisabledCampaign, key: 'voucher_disabled' });

  const expired = uniq('EXPIRED').toUpperCase();
  await createDiscountVoucher(expired, pct,
    { start_date: '2020-01-01T00:00:00.000Z', expiration_date: '2021-01-01T00:00:00.000Z' });
  assertSingleInapplicable(await validate([{ object: 'voucher', id: expired }]), { id: expired, key: 'voucher_expired' });

  const future = uniq('FUTURE').toUpperCase();
  await createDiscountVoucher(future, pct, { start_date: '2099-01-01T00:00:00.000Z' });
  assertSingleInapplicable(await validate([{ object: 'voucher', id: future }]), { id: future, key: 'voucher_not_active' });

  const missing = await validate([{ object: 'voucher', id: 'NO-SUCH-CODE' }]);
  const r = assertSingleInapplicable(missing, { id: 'NO-SUCH-CODE', key: 'not_found', code: 404 });
  assert.equal(r.result.error.resource_id, 'NO-SUCH-CODE', j(r));
  assert.equal(r.result.error.resource_type, 'voucher', j(r));

  const { tier } = await createPromotion(pct);
  const off = await raw('POST', `/v1/promotions/tiers/${encodeURIComponent(tier.id)}/disable`, {});
  assert.equal(off.status, 200, describeRes(off));
  assertSingleInapplicable(await validate([{ object: 'promotion_tier', id: tier.id }]),
    { id: tier.id, object: 'promotion_tier', key: 'promotion_inactive' });
});

test('ALL mode: an INAPPLICABLE redeemable makes valid:false and the following ones SKIPPED preceding_validation_failed', async () => {
  const expired = uniq('EXP-ALL').toUpperCase();
  await createDiscountVoucher(expired, { type: 'PERCENT', percent_off: 10 },
    { start_date: '2020-01-01T00:00:00.000Z', expiration_date: '2021-01-01T00:00:00.000Z' });
  const good = uniq('GOOD-ALL').toUpperCase();
  await createDiscountVoucher(good, { type: 'AMOUNT', amount_off: 1000 });
  const { tier } = await createPromotion({ type: 'PERCENT', percent_off: 20 });

  const res = await validate([
    { object: 'voucher', id: expired },
    { object: 'voucher', id: good },
    { object: 'promotion_tier', id: tier.id },
  ]);
  const ctx = `response ${j(res)}`;
  assert.equal(res.valid, false, ctx);
  assert.deepEqual(res.redeemables.map((r) => [r.status, r.id]),
    [['INAPPLICABLE', expired], ['SKIPPED', good], ['SKIPPED', tier.id]], ctx);
  assert.equal(res.redeemables[0].result?.error?.key, 'voucher_expired', ctx);
  for (const r of res.redeemables.slice(1)) {
    assert.equal(r.result?.details?.key, 'preceding_validation_failed', ctx);
  }
  assert.deepEqual(res.inapplicable_redeemables.map((r) => r.id), [expired], ctx);
  assert.deepEqual(res.skipped_redeemables.map((r) => [r.id, r.status, r.result?.details?.key]), [
    [good, 'SKIPPED', 'preceding_validation_failed'],
    [tier.id, 'SKIPPED', 'preceding_validation_failed'],
  ], ctx);
});

test('a second redeemable of the same category is SKIPPED applicable_redeemables_per_category_limit_exceeded (limit 1)', async () => {
  const category = await client.categories.create({ name: uniq('Validation category'), hierarchy: 3 });
  const first = uniq('CAT-A').toUpperCase();
  const second = uniq('CAT-B').toUpperCase();
  await createDiscountVoucher(first, { type: 'AMOUNT', amount_off: 1000 }, { category_id: category.id });
  await createDiscountVoucher(second, { type: 'AMOUNT', amount_off: 700 }, { category_id: category.id });

  const res = await validate([{ object: 'voucher', id: first }, { object: 'voucher', id: second }]);
  const ctx = `response ${j(res)}`;
  assert.equal(res.stacking_rules?.applicable_redeemables_per_category_limit, 1, ctx);
  assert.equal(res.valid, true, ctx);
  assert.deepEqual(res.redeemables.map((r) => [r.status, r.id]), [['APPLICABLE', first], ['SKIPPED', second]], ctx);
  assert.equal(res.redeemables[1].result?.details?.key, 'applicable_redeemables_per_category_limit_exceeded', ctx);
  assert.deepEqual(res.skipped_redeemables.map((r) => r.id), [second], ctx);
  const cats = res.redeemables[0].categories;
  assert.ok(Array.isArray(cats) && cats.length === 1, ctx);
  assert.equal(cats[0].id, category.id);
  assert.equal(cats[0].name, category.name);
  assert.equal(cats[0].object, 'category');
  assertOrderTotals(res.order, { discount_amount: 1000, total_discount_amount: 1000, total_amount: 19000 }, 'order');
});

test('options.expand:["explain"]: a rejected voucher\'s explain names the failing rule node; a passing one passes every step', async () => {
  const code = uniq('EXPLAIN').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 }, { validation_rules: [minOrderRule.id] });

  const bad = await validate([{ object: 'voucher', id: code }], { order: smallCart(), options: { expand: ['explain'] } });
  assert.equal(bad.valid, false, j(bad));
  const steps = bad.redeemables[0].explain;
  assert.ok(Array.isArray(steps) && steps.length > 0, `explain must be a non-empty array: ${j(bad.redeemables[0])}`);
  for (const s of steps) {
    assert.equal(typeof s.step, 'string', `step ${j(s)}`);
    assert.equal(typeof s.passed, 'boolean', `step ${j(s)}`);
  }
  const failed = steps.filter((s) => s.rule_id !== undefined && s.passed === false);
  assert.equal(failed.length, 1, `exactly one failing rule step: ${j(steps)}`);
  const [f] = failed;
  assert.equal(f.rule_id, minOrderRule.id, j(f));
  assert.equal(f.node, '1', j(f));
  assert.equal(f.name, 'order.amount', j(f));
  assert.equal(f.operator, '$more_than', j(f));
  assert.equal(f.actual, 4000, j(f));
  assert.ok(j(f.expected).includes('10000'), `expected carries the threshold: ${j(f)}`);
  assert.ok(steps.filter((s) => s.rule_id === undefined).every((s) => s.passed),
    `the static steps before the rule passed: ${j(steps)}`);

  const ok = await validate([{ object: 'voucher', id: code }], { options: { expand: ['explain'] } });
  assert.equal(ok.valid, true, j(ok));
  const okSteps = ok.redeemables[0].explain;
  assert.ok(Array.isArray(okSteps) && okSteps.length > 0, j(ok.redeemables[0]));
  assert.ok(okSteps.every((s) => s.passed === true), `all steps pass: ${j(okSteps)}`);
  const ruleStep = okSteps.find((s) => s.rule_id === minOrderRule.id);
  assert.ok(ruleStep, `the rule is part of the explain: ${j(okSteps)}`);
  assert.equal(ruleStep.actual, 20000, j(ruleStep));

  const plain = await validate([{ object: 'voucher', id: code }]);
  assert.equal(plain.redeemables[0].explain, undefined, 'no explain unless expanded');
});

test('validateStackable 400s: duplicated_redeemables, invalid_redeemables, invalid_payload, invalid_amount', async () => {
  const code = uniq('ERRS').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 });
  const { campaign, tier } = await createPromotion({ type: 'PERCENT', percent_off: 5 });
  const stack = await client.promotions.stack.createInCampaign(campaign.id,
    { name: uniq('Stack'), tiers: { ids: [tier.id], hierarchy_mode: 'MANUAL' } });

  await assertVoucherifyError(validate([{ object: 'voucher', id: code }, { object: 'voucher', id: code }]),
    400, 'duplicated_redeemables');
  await assertVoucherifyError(validate([{ object: 'promotion_stack', id: stack.id }, { object: 'voucher', id: code }]),
    400, 'invalid_redeemables');
  await assertVoucherifyError(client.validations.validateStackable({ customer: CUSTOMER, order: fullCart() }),
    400, 'invalid_payload');
  await assertVoucherifyError(validate([{ object: 'voucher', id: code }], { order: { ...fullCart(), amount: 19999 } }),
    400, 'invalid_amount');
});

// ---------------------------------------------------------------------------------------------------------------
// Kit 39: legacy POST /v1/vouchers/{code}/validate

test('validations.validateVoucher (legacy): {valid:true, code, discount, order, tracking_id, applicable_to, inapplicable_to} (kit #39)', async () => {
  const code = uniq('LEGACY').toUpperCase();
  await createDiscountVoucher(code, { type: 'PERCENT', percent_off: 10 });
  const res = await client.validations.validateVoucher(code, { customer: CUSTOMER, order: fullCart() });
  const ctx = `response ${j(res)}`;
  assert.equal(res.valid, true, ctx);
  assert.equal(res.code, code, ctx);
  assert.equal(res.discount?.type, 'PERCENT', ctx);
  assert.equal(res.discount.percent_off, 10, ctx);
  assertOrderTotals(res.order, {
    amount: 20000, discount_amount: 2000, total_discount_amount: 2000, total_amount: 18000,
  }, 'order');
  assert.equal(res.order.items?.length, 3, ctx);
  assert.equal(typeof res.tracking_id, 'string', ctx);
  assert.ok(res.tracking_id.length > 0, ctx);
  assertListShape(res.applicable_to, 'applicable_to');
  assertListShape(res.inapplicable_to, 'inapplicable_to');
  assert.equal(typeof res.metadata, 'object', ctx);
});

test('validations.validateVoucher (legacy) failures: {valid:false, code, reason, error{code,key,message,details}} (kit #39)', async () => {
  const disabled = uniq('LEGACY-OFF').toUpperCase();
  await createDiscountVoucher(disabled, { type: 'PERCENT', percent_off: 10 });
  await client.vouchers.disable(disabled);
  let res = await client.validations.validateVoucher(disabled, { customer: CUSTOMER, order: fullCart() });
  let ctx = `response ${j(res)}`;
  assert.equal(res.valid, false, ctx);
  assert.equal(res.code, disabled, ctx);
  assert.equal(res.error?.key, 'voucher_disabled', ctx);
  assert.equal(res.error.code, 400, ctx);
  assert.equal(typeof res.error.message, 'string', ctx);
  assert.equal(typeof res.error.details, 'string', ctx);
  assert.equal(res.reason, res.error.message, ctx);
  assert.equal(res.discount, undefined, ctx);

  const ruled = uniq('LEGACY-MIN').toUpperCase();
  await createDiscountVoucher(ruled, { type: 'PERCENT', percent_off: 10 }, { validation_rules: [minOrderRule.id] });
  res = await client.validations.validateVoucher(ruled, { customer: CUSTOMER, order: smallCart() });
  ctx = `response ${j(res)}`;
  assert.equal(res.valid, false, ctx);
  assert.equal(res.code, ruled, ctx);
  assert.equal(res.error?.key, 'order_rules_violated', ctx);
  assert.equal(res.error.code, 400, ctx);
  assert.equal(typeof res.reason, 'string', ctx);
  assert.equal(typeof res.tracking_id, 'string', ctx);

  res = await client.validations.validateVoucher(ruled, { customer: CUSTOMER, order: fullCart() });
  assert.equal(res.valid, true, j(res));
  assertOrderTotals(res.order, { discount_amount: 2000, total_amount: 18000 }, 'order');
});
