// Redemptions, rollbacks, session locks and qualification through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 37 (qualifications.checkEligibility), 38 (the session
// lock of validations.validateStackable), 40 (redemptions.redeemStackable), 41 (redemptions.redeem, legacy),
// 42 (redemptions.get / list / getForVoucher), 43 (redemptions.rollback with reason in the query and customer in
// the body), 44 (redemptions.rollbackStackable and the second call's already_rolled_back), the legacy
// promotions.tiers.redeem, and the quantity_exceeded negative of 45j. Contract: redeem-stacked-discounts
// (RedemptionsRedeemResponseBody), redeem-voucher and redeem-promotion, get-redemption, list-redemptions,
// get-voucher-redemptions, rollback-redemption, rollback-stacked-redemptions, check-eligibility, and the
// examples of shared/contract/legacy/redemptions.json.
//
// OpenPromo extension exercised through raw HTTP: the Idempotency-Key header.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, serverForThisFile, rawRequest } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const R_ID = /^r_[0-9a-zA-Z]+$/;
const RF_ID = /^rf_[0-9a-zA-Z]+$/;
const RR_ID = /^rr_[0-9a-zA-Z]+$/;
const ORD_ID = /^ord_[0-9a-zA-Z]+$/;

const uniq = makeUniq();
let srv;
let client;
serverForThisFile((s) => {
  srv = s;
  client = s.client;
});

async function discountCode(prefix, { amountOff = 1000, quantity = null } = {}) {
  const code = uniq(prefix);
  await client.vouchers.create({
    code,
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'AMOUNT', amount_off: amountOff },
    redemption: { quantity },
  });
  return code;
}

async function tier(name, discount) {
  const campaign = await client.campaigns.create({ name: uniq(`${name}-promo`), campaign_type: 'PROMOTION' });
  return client.promotions.tiers.create(campaign.id, { name, action: { discount } });
}

const order = (amount, extra = {}) => ({ amount, ...extra });

test('redemptions.redeemStackable: a parent and a child per redeemable, the order paid, the code used (kit #40)', async () => {
  const code = await discountCode('RS', { amountOff: 1500 });
  const t = await tier('ten-percent', { type: 'PERCENT', percent_off: 10 });
  const sourceId = uniq('cust');
  const orderSourceId = uniq('order');
  const r = await client.redemptions.redeemStackable({
    redeemables: [
      { object: 'voucher', id: code },
      { object: 'promotion_tier', id: t.id },
    ],
    customer: { source_id: sourceId },
    order: order(20000, { source_id: orderSourceId, status: 'CREATED' }),
    metadata: { till: 4 },
  });
  assert.equal(r.redemptions.length, 2, JSON.stringify(r));
  for (const child of r.redemptions) {
    assert.match(child.id, R_ID);
    assert.equal(child.object, 'redemption');
    assert.equal(child.result, 'SUCCESS');
    assert.equal(child.redemption, r.parent_redemption.id);
    assertIsoTimestamp(child.date, 'redemption.date');
  }
  assert.ok(r.redemptions.some((c) => c.voucher?.code === code), 'the voucher child shows its voucher');
  assert.ok(r.redemptions.some((c) => c.promotion_tier?.id === t.id), 'the tier child shows its tier');
  assert.match(r.parent_redemption.id, R_ID);
  assert.equal(r.parent_redemption.related_object_type, 'redemption');
  assert.match(r.order.id, ORD_ID);
  assert.equal(r.order.source_id, orderSourceId);
  assert.equal(r.order.status, 'PAID');
  assert.equal(r.order.total_discount_amount, 1500 + 1850); // 10 % of what is left after 1500
  assert.equal('inapplicable_redeemables' in r, false, 'left out when empty, as the reference does');
  const v = await client.vouchers.get(code);
  assert.equal(v.redemption.redeemed_quantity, 1);
});

test('redemptions.redeem (legacy) and promotions.tiers.redeem make one redemption each (kit #41)', async () => {
  const code = await discountCode('LEG');
  const r = await client.redemptions.redeem(code, { customer: { source_id: uniq('legacy') }, order: order(5000) });
  assert.match(r.id, R_ID);
  assert.equal(r.object, 'redemption');
  assert.equal(r.result, 'SUCCESS');
  assert.equal(r.redemption, null);
  assert.equal(r.voucher.code, code);
  assert.equal(r.order.total_amount, 4000);
  const t = await tier('five-off', { type: 'AMOUNT', amount_off: 500 });
  const tr = await client.promotions.tiers.redeem(t.id, { customer: { source_id: uniq('legacy') }, order: order(5000) });
  assert.equal(tr.related_object_type, 'promotion_tier');
  assert.equal(tr.promotion_tier.id, t.id);
});

test('redemptions.get, list and getForVoucher read the records (kit #42)', async () => {
  const code = await discountCode('READ');
  const sourceId = uniq('reader');
  const r = await client.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: code }],
    customer: { source_id: sourceId },
    order: order(3000),
  });
  const child = r.redemptions[0];
  const got = await client.redemptions.get(child.id);
  assert.equal(got.id, child.id);
  assert.equal(got.customer.source_id, sourceId);
  const list = await client.redemptions.list({ limit: 10, result: 'SUCCESS', customer: child.customer_id });
  assert.equal(list.object, 'list');
  assert.equal(list.data_ref, 'redemptions');
  assert.ok(list.redemptions.some((x) => x.id === child.id));
  assert.ok(list.redemptions.every((x) => x.result === 'SUCCESS'));
  const entries = await client.redemptions.getForVoucher(code);
  assert.equal(entries.object, 'list');
  assert.equal(entries.data_ref, 'redemption_entries');
  assert.equal(entries.redeemed_quantity, 1);
  assert.equal(entries.quantity, null);
  assert.equal(entries.total, 1);
  assert.equal(entries.redemption_entries[0].id, child.id);
});

test('redemptions.rollback: reason in the query, customer in the body, one use given back (kit #43)', async () => {
  const code = await discountCode('RB', { quantity: 1 });
  const sourceId = uniq('rb');
  const r = await client.redemptions.redeem(code, { customer: { source_id: sourceId }, order: order(4000) });
  const rb = await client.redemptions.rollback(r.id, { reason: 'order cancelled', customer: { source_id: sourceId } });
  assert.match(rb.id, RR_ID);
  assert.equal(rb.object, 'redemption_rollback');
  assert.equal(rb.redemption, r.id);
  assert.equal(rb.result, 'SUCCESS');
  assert.equal(rb.reason, 'order cancelled');
  const v = await client.vouchers.get(code);
  assert.equal(v.redemption.redeemed_quantity, 0);
  assert.equal((await client.redemptions.get(r.id)).status, 'ROLLED_BACK');
  // The code is free again.
  await client.redemptions.redeem(code, { customer: { source_id: sourceId }, order: order(4000) });
});

test('redemptions.rollbackStackable rolls back every child; a second call is already_rolled_back (kit #44)', async () => {
  const a = await discountCode('RBS-A');
  const b = await discountCode('RBS-B');
  const r = await client.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: a }, { object: 'voucher', id: b }],
    customer: { source_id: uniq('rbs') },
    order: order(10000),
  });
  const parent = r.parent_redemption.id;
  await assertVoucherifyError(client.redemptions.rollback(r.redemptions[0].id, 'nope'), 400, 'invalid_redemption_parent');
  const out = await client.redemptions.rollbackStackable(parent, { reason: 'cancel' }, { reason: 'cancel' });
  assert.equal(out.rollbacks.length, 2);
  for (const x of out.rollbacks) assert.match(x.id, RR_ID);
  assert.equal(out.parent_rollback.redemption, parent);
  assert.equal(out.order.status, 'CANCELED');
  assert.equal((await client.vouchers.get(a)).redemption.redeemed_quantity, 0);
  await assert.rejects(client.redemptions.rollbackStackable(parent, { reason: 'again' }), (err) => {
    assert.equal(err.code, 400);
    assert.equal(err.key, 'already_rolled_back');
    assert.match(err.resource_id, /^rrf_/);
    assert.equal(err.resource_type, 'redemption_rollback');
    return true;
  });
});

test('a used-up code fails with quantity_exceeded and a failed redemption record (kit #45j)', async () => {
  const code = await discountCode('ONE', { quantity: 1 });
  await client.redemptions.redeem(code, { order: order(2000) });
  await assert.rejects(client.redemptions.redeemStackable({ redeemables: [{ object: 'voucher', id: code }], order: order(2000) }), (err) => {
    assert.equal(err.code, 400);
    assert.equal(err.key, 'quantity_exceeded');
    assert.match(err.resource_id, RF_ID);
    assert.equal(err.resource_type, 'redemption');
    return true;
  });
  const failures = await client.redemptions.list({ limit: 100, result: 'FAILURE' });
  assert.ok(failures.redemptions.some((x) => x.failure_code === 'quantity_exceeded'));
});

test('validateStackable with session LOCK reserves the last unit; the session key redeems it (kit #38, #40)', async () => {
  const code = await discountCode('LOCK', { quantity: 1 });
  const v = await client.validations.validateStackable({
    redeemables: [{ object: 'voucher', id: code }],
    order: order(2000),
    session: { type: 'LOCK' },
  });
  assert.equal(v.valid, true);
  assert.equal(v.session.type, 'LOCK');
  assert.equal(v.session.ttl, 7);
  assert.equal(v.session.ttl_unit, 'DAYS');
  assert.match(v.session.key, /^ssn_/);
  const other = await client.validations.validateStackable({ redeemables: [{ object: 'voucher', id: code }], order: order(2000) });
  assert.equal(other.valid, false, 'another caller sees the unit reserved');
  assert.equal(other.redeemables[0].result.error.key, 'quantity_exceeded');
  const r = await client.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: code }],
    order: order(2000),
    session: { type: 'LOCK', key: v.session.key },
  });
  assert.equal(r.redemptions[0].session.key, v.session.key);
});

test('qualifications.checkEligibility lists what this cart qualifies for (kit #37)', async () => {
  const t = await tier('eligible', { type: 'AMOUNT', amount_off: 700 });
  const q = await client.qualifications.checkEligibility({
    customer: { source_id: uniq('q') },
    order: { amount: 9000, items: [{ source_id: 'sku-1', related_object: 'product', quantity: 3, price: 3000 }] },
    scenario: 'ALL',
    options: {
      limit: 50,
      expand: ['redeemable', 'category'],
      filters: { junction: 'and', resource_type: { conditions: { $in: ['promotion_tier'] } } },
    },
  });
  assert.equal(q.redeemables.object, 'list');
  assert.equal(q.redeemables.data_ref, 'data');
  assert.equal(typeof q.redeemables.total, 'number');
  assert.equal(typeof q.redeemables.has_more, 'boolean');
  const mine = q.redeemables.data.find((x) => x.id === t.id);
  assert.ok(mine, JSON.stringify(q.redeemables.data.map((x) => x.id)));
  assert.equal(mine.object, 'promotion_tier');
  assert.equal(mine.result.discount.amount_off, 700);
  assert.equal(mine.order.total_amount, 8300);
  assert.ok(Array.isArray(mine.categories));
  assert.equal(mine.applicable_to.object, 'list');
  assert.match(q.tracking_id, /^track_/);
  assert.equal(q.order.amount, 9000);
  assert.ok(q.stacking_rules);
});

test('an Idempotency-Key retry gets the first answer and consumes nothing more (ours)', async () => {
  const code = await discountCode('IDEM');
  const body = { redeemables: [{ object: 'voucher', id: code }], order: order(2000) };
  const headers = { 'Idempotency-Key': uniq('key') };
  const send = () => fetch(`${srv.url}/v1/redemptions`, {
    method: 'POST',
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const first = await send();
  const firstText = await first.text();
  assert.equal(first.status, 200, firstText);
  const second = await send();
  assert.equal(await second.text(), firstText);
  const v = await rawRequest(srv, 'GET', `/v1/vouchers/${code}`);
  assert.equal(v.json.redemption.redeemed_quantity, 1);
});
