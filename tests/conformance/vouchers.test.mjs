// Standalone vouchers and gift-card balance through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 21-23, 25-27, the voucher delete of 45i and
// the 404 of 45j. Step 28 (voucher transactions) is not implemented by the server yet and is skipped.
// Contract: shared/contract/readOnly-openAPI.json, operations get-/update-/create-/delete-voucher,
// enable-/disable-voucher, generate-random-code and update-voucher-balance.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';


let srv;
let client;

before(async () => {
  srv = await startServer();
  client = srv.client;
});

after(async () => {
  await srv?.stop();
});

function discountVoucher(code, overrides = {}) {
  return {
    code,
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'PERCENT', percent_off: 15 },
    redemption: { quantity: 3 },
    ...overrides,
  };
}

test('vouchers.get returns the voucher object (kit #21)', async () => {
  const created = await client.vouchers.create(discountVoucher('SHAPE-1'));
  assert.equal(created.code, 'SHAPE-1');

  const v = await client.vouchers.get('SHAPE-1');
  assert.match(v.id, /^v_[0-9a-zA-Z]+$/);
  assert.equal(v.id, created.id);
  assert.equal(v.code, 'SHAPE-1');
  assert.equal(v.object, 'voucher');
  assert.equal(v.type, 'DISCOUNT_VOUCHER');
  assert.equal(v.discount?.type, 'PERCENT');
  assert.equal(v.discount?.percent_off, 15);
  assert.equal(v.active, true);
  assert.equal(v.campaign, null);
  assert.equal(v.campaign_id, null);
  assertIsoTimestamp(v.created_at, 'created_at');

  assert.equal(typeof v.redemption, 'object');
  assert.equal(v.redemption.quantity, 3);
  assert.equal(v.redemption.redeemed_quantity, 0);
  assert.equal(v.redemption.object, 'list');
  assert.equal(typeof v.redemption.url, 'string');
  assert.ok(v.redemption.url.includes('/v1/vouchers/SHAPE-1/'), `redemption.url ${v.redemption.url}`);

  assert.equal(typeof v.publish, 'object');
  assert.equal(v.publish.object, 'list');
  assert.equal(v.publish.count, 0);
  assert.equal(typeof v.publish.url, 'string');
  assert.ok(v.publish.url.includes('/v1/vouchers/SHAPE-1/'), `publish.url ${v.publish.url}`);
});

test('vouchers.update merges metadata and sets expiration_date (kit #22)', async () => {
  await client.vouchers.create(discountVoucher('META-1'));

  const first = await client.vouchers.update({ code: 'META-1', metadata: { a: 1 } });
  assert.equal(first.code, 'META-1');
  assert.deepEqual(first.metadata, { a: 1 });

  const expiration = '2030-01-01T00:00:00.000Z';
  const second = await client.vouchers.update({ code: 'META-1', metadata: { b: 2 }, expiration_date: expiration });
  assert.equal(second.code, 'META-1');
  assert.equal(second.object, 'voucher');
  assert.deepEqual(second.metadata, { a: 1, b: 2 }, 'metadata keys are merged, not replaced');
  assert.equal(Date.parse(second.expiration_date), Date.parse(expiration), `expiration_date ${second.expiration_date}`);
  assertIsoTimestamp(second.updated_at, 'updated_at');
  // Untouched fields survive.
  assert.equal(second.discount?.percent_off, 15);
  assert.equal(second.redemption?.quantity, 3);

  const got = await client.vouchers.get('META-1');
  assert.deepEqual(got.metadata, { a: 1, b: 2 });
  assert.equal(Date.parse(got.expiration_date), Date.parse(expiration));
});

test('vouchers.disable / enable toggle active (kit #23)', async () => {
  await client.vouchers.create(discountVoucher('TOGGLE-1'));

  const disabled = await client.vouchers.disable('TOGGLE-1');
  assert.equal(disabled.code, 'TOGGLE-1');
  assert.equal(disabled.object, 'voucher');
  assert.equal(disabled.active, false);
  assert.equal((await client.vouchers.get('TOGGLE-1')).active, false);

  const enabled = await client.vouchers.enable('TOGGLE-1');
  assert.equal(enabled.code, 'TOGGLE-1');
  assert.equal(enabled.active, true);
  assert.equal((await client.vouchers.get('TOGGLE-1')).active, true);
});

test('vouchers.create without a code (POST /v1/vouchers/, trailing slash) generates a code (kit #25)', async () => {
  const created = await client.vouchers.create({
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'AMOUNT', amount_off: 2000 },
    redemption: { quantity: 1 },
  });
  assert.equal(typeof created.code, 'string');
  assert.ok(created.code.length > 0, 'a code must be generated');
  assert.match(created.id, /^v_/);
  assert.equal(created.object, 'voucher');
  assert.equal(created.campaign, null, 'a standalone voucher has campaign:null');
  assert.equal(created.type, 'DISCOUNT_VOUCHER');
  assert.equal(created.discount?.type, 'AMOUNT');
  assert.equal(created.discount?.amount_off, 2000);
  assert.equal(created.redemption?.quantity, 1);

  const got = await client.vouchers.get(created.code);
  assert.equal(got.id, created.id);

  // Two calls give two different codes.
  const other = await client.vouchers.create({ type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 2000 } });
  assert.notEqual(other.code, created.code);
});

let gift1; // GIFT-1 from kit #26, used by #27

test("vouchers.create GIFT-1 (GIFT_VOUCHER, gift.amount 10000) has gift:{amount, balance, effect} (kit #26)", async () => {
  const created = await client.vouchers.create({ code: 'GIFT-1', type: 'GIFT_VOUCHER', gift: { amount: 10000 } });
  assert.equal(created.code, 'GIFT-1');
  assert.equal(created.type, 'GIFT_VOUCHER');
  assert.equal(created.object, 'voucher');
  assert.match(created.id, /^v_/);
  assert.equal(created.gift?.amount, 10000);
  assert.equal(created.gift?.balance, 10000);
  assert.ok('effect' in created.gift, 'gift.effect must be present');
  if (created.gift.effect !== null) {
    assert.ok(['APPLY_TO_ORDER', 'APPLY_TO_ITEMS'].includes(created.gift.effect), `gift.effect ${created.gift.effect}`);
  }
  gift1 = created;

  const got = await client.vouchers.get('GIFT-1');
  assert.deepEqual(got.gift, created.gift);
});

test("vouchers.balance.create('GIFT-1', {amount:-500}) returns the balance object (kit #27)", async () => {
  assert.ok(gift1, 'needs GIFT-1 from the kit #26 test');

  const res = await client.vouchers.balance.create('GIFT-1', { amount: -500, reason: 'conformance: manual deduction' });
  assert.deepEqual(res, {
    amount: -500,
    total: 10000,
    balance: 9500,
    type: 'gift_voucher',
    operation_type: 'MANUAL',
    object: 'balance',
    related_object: { type: 'voucher', id: gift1.id },
  });

  const got = await client.vouchers.get('GIFT-1');
  assert.equal(got.gift.amount, 10000);
  assert.equal(got.gift.balance, 9500);
});

test('vouchers.balance.create removing more than the balance rejects with 400 and changes nothing', async () => {
  assert.ok(gift1, 'needs GIFT-1 from the kit #26 test');
  const before = (await client.vouchers.get('GIFT-1')).gift.balance;

  await assertVoucherifyError(
    client.vouchers.balance.create('GIFT-1', { amount: -(before + 1), reason: 'too much' }), 400, null);

  assert.equal((await client.vouchers.get('GIFT-1')).gift.balance, before);
});

test("vouchers.listTransactions('GIFT-1', {limit}) lists the balance changes (kit #28)", async () => {
  assert.ok(gift1, 'needs GIFT-1 from the kit #26 test');
  const res = await client.vouchers.listTransactions('GIFT-1', { limit: 10 });
  assert.equal(res.object, 'list');
  assert.equal(res.data_ref, 'data');
  assert.ok(Array.isArray(res.data));
  assert.equal(typeof res.has_more, 'boolean');
  // The -500 manual deduction (kit #27) is there, with the balance it left.
  const deduction = res.data.find((t) => t.type === 'CREDITS_REMOVAL' && t.details.balance.amount === -500);
  assert.ok(deduction, JSON.stringify(res.data));
  assert.match(deduction.id, /^vtx_/);
  assert.equal(deduction.voucher_id, gift1.id);
  assert.equal(deduction.reason, 'conformance: manual deduction');
  assert.deepEqual(deduction.details.balance, {
    type: 'gift_voucher',
    total: 10000,
    amount: -500,
    object: 'balance',
    balance: 9500,
    related_object: { id: gift1.id, type: 'voucher' },
  });
  assert.ok(!Number.isNaN(Date.parse(deduction.created_at)));
});

test('DELETE /v1/vouchers/{code}?force=true answers 204 with an empty body (raw HTTP; kit #45i)', async () => {
  await client.vouchers.create(discountVoucher('RAW-DEL-1'));
  const res = await fetch(`${srv.url}/v1/vouchers/RAW-DEL-1?force=true`, {
    method: 'DELETE',
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken },
  });
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
});

test('vouchers.delete(code, {force:true}) removes it for good: 404, and the code can be reused (kit #45i)', async () => {
  const first = await client.vouchers.create(discountVoucher('FORCE-DEL-1'));

  await client.vouchers.delete('FORCE-DEL-1', { force: true });
  await assertVoucherifyError(client.vouchers.get('FORCE-DEL-1'), 404, 'not_found');

  const again = await client.vouchers.create(discountVoucher('FORCE-DEL-1'));
  assert.equal(again.code, 'FORCE-DEL-1');
  assert.notEqual(again.id, first.id);
});

test('vouchers.delete(code) without force moves it to the bin: 404, but the code stays reserved (kit #45i)', async () => {
  await client.vouchers.create(discountVoucher('BIN-DEL-1'));

  await client.vouchers.delete('BIN-DEL-1');
  await assertVoucherifyError(client.vouchers.get('BIN-DEL-1'), 404, 'not_found');

  await assertVoucherifyError(client.vouchers.create(discountVoucher('BIN-DEL-1')), 409, 'duplicate_found');
});

test('vouchers.create of an existing code rejects with 409 duplicate_found', async () => {
  await client.vouchers.create(discountVoucher('DUP-1'));
  await assertVoucherifyError(client.vouchers.create(discountVoucher('DUP-1')), 409, 'duplicate_found');
});

test("vouchers.get('NOPE') rejects with the Voucherify 404 error body (kit #45j)", async () => {
  await assert.rejects(client.vouchers.get('NOPE'), (err) => {
    assert.equal(err.code, 404);
    assert.equal(err.key, 'not_found');
    assert.equal(err.message, 'Resource not found');
    assert.equal(typeof err.request_id, 'string');
    if (err.details !== undefined) assert.equal(typeof err.details, 'string');
    return true;
  });
});
