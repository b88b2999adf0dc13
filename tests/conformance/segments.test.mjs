// Customer segments through the real @voucherify/sdk 2.9.0 client.
// Contract: shared/contract/readOnly-openAPI.json, operations create-segment (SegmentsCreateRequestBodyStatic /
// ...Dynamic), get-segment, delete-segment and list-customer-segments (CustomersSegmentsListResponseBody).
// Spec 16.2: static | passive | auto-update; filters {junction, "<field path>": {conditions: {$op: [values]}}}
// over profile fields, metadata and the summary counters; membership is evaluated when asked, and the
// `customer.segment` validation rule uses it.
//
// SDK 2.9.0 methods used: segments.{create,get,delete,list}, customers.{create,update}, orders.create,
// validationRules.{create,createAssignment}, vouchers.create, validations.validateStackable. Raw fetch is used
// only to read the HTTP status of DELETE /v1/segments/{id}.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { eventually, j, makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const SEG_ID = /^seg_[0-9a-zA-Z]+$/;

const uniq = makeUniq();

let srv;
let client;
serverForThisFile((started) => {
  srv = started;
  client = started.client;
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

const raw = (method, path, body) => rawRequest(srv, method, path, body);

// Retries `fn` (which throws on a failed assertion) until it passes or `ms` elapse; the last error is rethrown.
// Membership may be recalculated in the asynchronous phase of a request (spec 4.8).

function assertSegmentShape(s, expected, label = 'segment') {
  const ctx = `${label}: ${j(s)}`;
  assert.equal(s.object, 'segment', ctx);
  assert.match(s.id ?? '', SEG_ID, ctx);
  assert.equal(s.name, expected.name, ctx);
  assert.equal(s.type, expected.type, ctx);
  if (expected.filter !== undefined) assert.deepEqual(s.filter, expected.filter, ctx);
  assertIsoTimestamp(s.created_at, `${label}.created_at`);
}

// GET /v1/customers/{id}/segments, checked against CustomersSegmentsListResponseBody.
async function segmentsOf(customerIdOrSourceId) {
  const res = await client.segments.list(customerIdOrSourceId);
  const ctx = `segments.list(${customerIdOrSourceId}): ${j(res)}`;
  assert.equal(res.object, 'list', ctx);
  assert.equal(res.data_ref, 'data', ctx);
  assert.ok(Array.isArray(res.data), ctx);
  assert.equal(res.total, res.data.length, ctx);
  for (const s of res.data) {
    assert.match(s.id ?? '', SEG_ID, ctx);
    assert.equal(typeof s.name, 'string', ctx);
    assert.equal(s.object, 'segment', ctx);
  }
  return res;
}

async function segmentIdsOf(customer) {
  return (await segmentsOf(customer)).data.map((s) => s.id);
}

async function assertMember(customer, segId, label = '') {
  await eventually(async () => {
    const ids = await segmentIdsOf(customer);
    assert.ok(ids.includes(segId), `${label} ${customer} must be in ${segId}, is in ${j(ids)}`);
  });
}

async function assertNotMember(customer, segId, label = '') {
  await eventually(async () => {
    const ids = await segmentIdsOf(customer);
    assert.ok(!ids.includes(segId), `${label} ${customer} must not be in ${segId}, is in ${j(ids)}`);
  });
}

const cond = (op, ...values) => ({ conditions: { [op]: values } });

async function autoSegment(filterFields) {
  const name = uniq('Auto segment');
  const filter = { junction: 'and', ...filterFields };
  const s = await client.segments.create({ name, type: 'auto-update', filter });
  assertSegmentShape(s, { name, type: 'auto-update', filter });
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// CRUD

test('segments.create static with customer ids and source_ids returns a seg_ segment', async () => {
  const a = await client.customers.create({ source_id: uniq('seg-static-a'), name: 'Static A' });
  const b = await client.customers.create({ source_id: uniq('seg-static-b'), name: 'Static B' });
  const outsider = await client.customers.create({ source_id: uniq('seg-static-out'), name: 'Outsider' });
  const name = uniq('Static segment');
  const s = await client.segments.create({ name, type: 'static', customers: [a.id, b.source_id] });
  assertSegmentShape(s, { name, type: 'static' });

  await assertMember(a.id, s.id, 'by id');
  await assertMember(a.source_id, s.id, 'by source_id');
  await assertMember(b.id, s.id);
  await assertNotMember(outsider.id, s.id);
});

test('segments.create auto-update echoes the filter', async () => {
  const name = uniq('Gold tier');
  const filter = { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } };
  const s = await client.segments.create({ name, type: 'auto-update', filter });
  assertSegmentShape(s, { name, type: 'auto-update', filter });
});

test('segments.get returns the created segment; delete answers 204, then get is 404 not_found', async () => {
  const name = uniq('Get delete');
  const filter = { junction: 'and', 'metadata.tier': cond('$is', 'silver') };
  const created = await client.segments.create({ name, type: 'auto-update', filter });

  const got = await client.segments.get(created.id);
  assertSegmentShape(got, { name, type: 'auto-update', filter }, 'got');
  assert.equal(got.id, created.id);
  assert.equal(got.created_at, created.created_at);

  const del = await raw('DELETE', `/v1/segments/${encodeURIComponent(created.id)}`);
  assert.equal(del.status, 204, `HTTP ${del.status}: ${del.text}`);
  assert.equal(del.text, '', 'a 204 has no body');
  await assertVoucherifyError(client.segments.get(created.id), 404, 'not_found');
  await assertVoucherifyError(client.segments.delete(created.id), 404, 'not_found');

  // The SDK's delete works too.
  const member = await client.customers.create({ source_id: uniq('seg-sdk-del') });
  const other = await client.segments.create({ name: uniq('Sdk delete'), type: 'static', customers: [member.id] });
  const res = await client.segments.delete(other.id);
  assert.ok(res === undefined || res === '' || res === null, `delete must return no content, got ${j(res)}`);
  await assertVoucherifyError(client.segments.get(other.id), 404, 'not_found');
});

test('a deleted segment is no longer listed for its members', async () => {
  const c = await client.customers.create({ source_id: uniq('seg-del-member') });
  const s = await client.segments.create({ name: uniq('Deleted static'), type: 'static', customers: [c.id] });
  await assertMember(c.id, s.id);
  await client.segments.delete(s.id);
  await assertNotMember(c.id, s.id);
});

test('segments.get of an unknown id rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.segments.get('seg_doesNotExist0000000000'), 404, 'not_found');
});

test('segments.list(customer) returns {object:list, data_ref:data, data:[{id,name,object}], total} by id or source_id', async () => {
  const tier = uniq('tier');
  const c = await client.customers.create({ source_id: uniq('seg-list'), metadata: { tier } });
  const s1 = await client.segments.create({ name: uniq('List static'), type: 'static', customers: [c.id] });
  const s2 = await autoSegment({ 'metadata.tier': cond('$is', tier) });

  await eventually(async () => {
    for (const key of [c.id, c.source_id]) {
      const res = await segmentsOf(key);
      const mine = res.data.filter((x) => x.id === s1.id || x.id === s2.id);
      assert.equal(mine.length, 2, `segments.list(${key}) must hold both segments: ${j(res)}`);
      assert.deepEqual(mine.find((x) => x.id === s1.id), { id: s1.id, name: s1.name, object: 'segment' });
      assert.deepEqual(mine.find((x) => x.id === s2.id), { id: s2.id, name: s2.name, object: 'segment' });
    }
  });
});

test('segments.list of an unknown customer rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.segments.list(uniq('no-such-customer')), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// membership follows the data

test('auto-update segment on metadata.tier: membership follows customers.update', async () => {
  const gold = uniq('gold');
  const s = await autoSegment({ 'metadata.tier': cond('$is', gold) });
  const sourceId = uniq('seg-tier');
  await client.customers.create({ source_id: sourceId, name: 'Tiered', metadata: { tier: 'silver' } });
  await assertNotMember(sourceId, s.id, 'silver customer');

  await client.customers.update({ source_id: sourceId, metadata: { tier: gold } });
  await assertMember(sourceId, s.id, 'after upgrade');

  await client.customers.update({ source_id: sourceId, metadata: { tier: 'silver' } });
  await assertNotMember(sourceId, s.id, 'after downgrade');
});

test('auto-update segment on summary.orders.total_count: a customer enters after a PAID order', async () => {
  const s = await autoSegment({ 'summary.orders.total_count': cond('$more_than_equal', 1) });
  const sourceId = uniq('seg-buyer');
  await client.customers.create({ source_id: sourceId, name: 'Buyer' });
  await assertNotMember(sourceId, s.id, 'without orders');

  // A CREATED order does not count (summary counts PAID and FULFILLED only).
  await client.orders.create({
    source_id: uniq('seg-ord-created'), status: 'CREATED',
    items: [{ source_id: 'ext-a', related_object: 'product', quantity: 1, price: 1000 }],
    customer: { source_id: sourceId },
  });
  await assertNotMember(sourceId, s.id, 'with a CREATED order only');

  await client.orders.create({
    source_id: uniq('seg-ord-paid'), status: 'PAID',
    items: [{ source_id: 'ext-a', related_object: 'product', quantity: 1, price: 1000 }],
    customer: { source_id: sourceId },
  });
  await assertMember(sourceId, s.id, 'after a PAID order');
});

test('filter on email with $contains', async () => {
  const domain = `${uniq('dom')}.example.com`;
  const s = await autoSegment({ email: cond('$contains', `@${domain}`) });
  const inside = await client.customers.create({ source_id: uniq('seg-mail-in'), email: `ann@${domain}` });
  const outside = await client.customers.create({ source_id: uniq('seg-mail-out'), email: 'ann@elsewhere.example.com' });
  const noEmail = await client.customers.create({ source_id: uniq('seg-mail-none') });
  await assertMember(inside.id, s.id);
  await assertNotMember(outside.id, s.id);
  await assertNotMember(noEmail.id, s.id);
});

test('filter on address.city with $is', async () => {
  const city = uniq('Springfield');
  const s = await autoSegment({ 'address.city': cond('$is', city) });
  const inside = await client.customers.create({
    source_id: uniq('seg-city-in'), address: { city, country: 'US', line_1: '1 Main St' },
  });
  const outside = await client.customers.create({ source_id: uniq('seg-city-out'), address: { city: 'Shelbyville' } });
  const noAddress = await client.customers.create({ source_id: uniq('seg-city-none') });
  await assertMember(inside.id, s.id);
  await assertNotMember(outside.id, s.id);
  await assertNotMember(noAddress.id, s.id);
});

test('filter on name with $starts_with', async () => {
  const prefix = `Zed${uniq.run}`;
  const s = await autoSegment({ name: cond('$starts_with', prefix) });
  const inside = await client.customers.create({ source_id: uniq('seg-name-in'), name: `${prefix} Alpha` });
  const outside = await client.customers.create({ source_id: uniq('seg-name-out'), name: `Alpha ${prefix}` });
  await assertMember(inside.id, s.id);
  await assertNotMember(outside.id, s.id);
});

test('junction "and" needs every field; junction "or" needs one', async () => {
  const tag = uniq('tag');
  const city = uniq('Ogdenville');
  const andSeg = await autoSegment({ 'metadata.tag': cond('$is', tag), 'address.city': cond('$is', city) });
  const orName = uniq('Or segment');
  const orFilter = { junction: 'or', 'metadata.tag': cond('$is', tag), 'address.city': cond('$is', city) };
  const orSeg = await client.segments.create({ name: orName, type: 'auto-update', filter: orFilter });
  assertSegmentShape(orSeg, { name: orName, type: 'auto-update', filter: orFilter });

  const both = await client.customers.create({ source_id: uniq('seg-both'), metadata: { tag }, address: { city } });
  const one = await client.customers.create({ source_id: uniq('seg-one'), metadata: { tag } });
  await assertMember(both.id, andSeg.id, 'both fields');
  await assertMember(both.id, orSeg.id, 'both fields');
  await assertNotMember(one.id, andSeg.id, 'one field');
  await assertMember(one.id, orSeg.id, 'one field');
});

// ---------------------------------------------------------------------------------------------------------------
// the customer.segment validation rule

test('validation rule customer.segment $is [seg]: the voucher validates only for members', async () => {
  const vip = uniq('vip');
  const seg = await autoSegment({ 'metadata.level': cond('$is', vip) });
  const rule = await client.validationRules.create({
    name: uniq('Segment rule'),
    type: 'basic',
    rules: { 1: { name: 'customer.segment', conditions: { $is: [seg.id] }, rules: {} }, logic: '1' },
  });
  assert.match(rule.id ?? '', /^val_[0-9a-zA-Z]+$/, j(rule));
  const code = uniq('SEGV').toUpperCase();
  const v = await client.vouchers.create({
    code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 },
  });
  await client.validationRules.createAssignment(rule.id, { related_object_type: 'voucher', related_object_id: v.id });

  const member = uniq('seg-rule-member');
  const stranger = uniq('seg-rule-stranger');
  await client.customers.create({ source_id: member, metadata: { level: vip } });
  await client.customers.create({ source_id: stranger, metadata: { level: 'basic' } });
  await assertMember(member, seg.id);

  const order = { amount: 4000, items: [{ source_id: 'ext-a', related_object: 'product', quantity: 1, price: 4000 }] };
  const validate = (customerSourceId) => client.validations.validateStackable({
    customer: { source_id: customerSourceId }, order, redeemables: [{ object: 'voucher', id: code }],
  });

  const ok = await validate(member);
  assert.equal(ok.valid, true, `member: ${j(ok)}`);
  assert.equal(ok.redeemables?.[0]?.status, 'APPLICABLE', j(ok));
  assert.equal(ok.order?.total_discount_amount, 500, j(ok));

  const no = await validate(stranger);
  assert.equal(no.valid, false, `stranger: ${j(no)}`);
  assert.equal(no.redeemables?.[0]?.status, 'INAPPLICABLE', j(no));
  assert.equal(no.redeemables[0].result?.error?.key, 'customer_rules_violated', j(no));

  // Membership follows the data: the stranger becomes a member and the voucher validates.
  await client.customers.update({ source_id: stranger, metadata: { level: vip } });
  await assertMember(stranger, seg.id);
  const later = await validate(stranger);
  assert.equal(later.valid, true, `after joining: ${j(later)}`);
});

test('validation rule customer.segment on a static segment', async () => {
  const inside = await client.customers.create({ source_id: uniq('seg-rule-static-in') });
  const outside = await client.customers.create({ source_id: uniq('seg-rule-static-out') });
  const seg = await client.segments.create({ name: uniq('Rule static'), type: 'static', customers: [inside.id] });
  const rule = await client.validationRules.create({
    name: uniq('Static segment rule'),
    type: 'basic',
    rules: { 1: { name: 'customer.segment', conditions: { $is: [seg.id] }, rules: {} }, logic: '1' },
  });
  const code = uniq('SEGS').toUpperCase();
  const v = await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
  await client.validationRules.createAssignment(rule.id, { related_object_type: 'voucher', related_object_id: v.id });

  const order = { amount: 2000, items: [{ source_id: 'ext-a', related_object: 'product', quantity: 1, price: 2000 }] };
  const validate = (sourceId) => client.validations.validateStackable({
    customer: { source_id: sourceId }, order, redeemables: [{ object: 'voucher', id: code }],
  });
  const ok = await validate(inside.source_id);
  assert.equal(ok.valid, true, j(ok));
  const no = await validate(outside.source_id);
  assert.equal(no.valid, false, j(no));
  assert.equal(no.redeemables?.[0]?.result?.error?.key, 'customer_rules_violated', j(no));
});

// ---------------------------------------------------------------------------------------------------------------
// errors

test('a static segment naming an unknown customer is rejected (404 not_found or 400)', async () => {
  const name = uniq('Unknown member');
  await assert.rejects(
    client.segments.create({ name, type: 'static', customers: ['cust_doesNotExist0000000000'] }),
    (err) => {
      const ok = (err.code === 404 && err.key === 'not_found') || err.code === 400;
      assert.ok(ok, `expected 404 not_found or 400, got ${err.code} ${err.key}: ${err.message} ${err.details}`);
      assert.equal(typeof err.message, 'string');
      return true;
    },
  );
});

test('segments.create with an invalid type rejects with 400 invalid_payload', async () => {
  await assertVoucherifyError(client.segments.create({ name: uniq('Bad type'), type: 'dynamic', filter: {} }),
    400, 'invalid_payload');
});
