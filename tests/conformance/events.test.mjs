// Custom events, customer activity, permanent deletion and the customer order summary through the real
// @voucherify/sdk 2.9.0 client.
// Contract: shared/contract/readOnly-openAPI.json, operations track-custom-event (POST /v1/events),
// list-customer-activity (GET /v1/customers/{customerId}/activity) and customer-permanently-deletion
// (POST /v1/customers/{customerId}/permanent-deletion); the customer summary is
// CustomerWithSummaryLoyaltyReferrals.summary.orders (spec 16.1: PAID and FULFILLED orders only).
//
// SDK 2.9.0 methods used: events.create, customers.{get,listActivity,delete,deletePermanently},
// orders.{create,get,update}.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { j, makeUniq, serverForThisFile } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const EVENT_ID = /^evcus_[0-9a-zA-Z]+$/;
const CUST_ID = /^cust_[0-9a-zA-Z]+$/;
const DEL_ID = /^del_[0-9a-zA-Z]+$/;

const uniq = makeUniq();

let srv;
let client;
serverForThisFile((started) => {
  srv = started;
  client = started.client;
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

function assertActivityList(res, label = 'activity') {
  const ctx = `${label}: ${j(res)}`;
  assert.equal(res.object, 'list', ctx);
  assert.equal(res.data_ref, 'data', ctx);
  assert.ok(Array.isArray(res.data), `${label}.data must be an array in ${ctx}`);
  assert.equal(typeof res.has_more, 'boolean', `${label}.has_more must be a boolean in ${ctx}`);
  for (const [i, a] of res.data.entries()) {
    assert.equal(a.object, 'customer_activity', `${label}.data[${i}].object in ${ctx}`);
    assert.equal(typeof a.id, 'string', `${label}.data[${i}].id in ${ctx}`);
    assert.ok(a.id.length > 0, `${label}.data[${i}].id in ${ctx}`);
    assert.equal(typeof a.type, 'string', `${label}.data[${i}].type in ${ctx}`);
    assert.equal(typeof a.data, 'object', `${label}.data[${i}].data in ${ctx}`);
    assert.notEqual(a.data, null, `${label}.data[${i}].data in ${ctx}`);
    assertIsoTimestamp(a.created_at, `${label}.data[${i}].created_at`);
  }
}

function order(sourceId, customerSourceId, status, amount) {
  return {
    source_id: sourceId,
    status,
    amount,
    items: [{ source_id: 'ext-item', related_object: 'product', quantity: 1, price: amount }],
    customer: { source_id: customerSourceId },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /v1/events

test('events.create returns an event object with evcus_ id, type, customer, null referral/loyalty, metadata, created_at', async () => {
  const custSource = uniq('ev-cust');
  const ev = await client.events.create('purchase', {
    customer: { source_id: custSource },
    metadata: { plan: 'pro', seats: 3 },
  });
  const ctx = j(ev);
  assert.match(ev.id ?? '', EVENT_ID, ctx);
  assert.equal(ev.object, 'event', ctx);
  assert.equal(ev.type, 'purchase', ctx);
  assert.equal(typeof ev.customer, 'object', ctx);
  assert.match(ev.customer?.id ?? '', CUST_ID, ctx);
  assert.equal(ev.customer.source_id, custSource, ctx);
  assert.equal(ev.customer.object, 'customer', ctx);
  assert.equal(ev.referral, null, ctx);
  assert.equal(ev.loyalty, null, ctx);
  assert.deepEqual(ev.metadata, { plan: 'pro', seats: 3 }, ctx);
  assertIsoTimestamp(ev.created_at, 'event.created_at');
});

test('events.create upserts the customer: customers.get(source_id) finds it afterwards', async () => {
  const custSource = uniq('ev-upsert');
  await assertVoucherifyError(client.customers.get(custSource), 404, 'not_found');
  const ev = await client.events.create('signed_up', { customer: { source_id: custSource } });
  const c = await client.customers.get(custSource);
  assert.equal(c.object, 'customer', j(c));
  assert.equal(c.id, ev.customer.id, j({ c, ev }));
  assert.equal(c.source_id, custSource, j(c));

  // A second event for the same source_id reuses the customer.
  const ev2 = await client.events.create('signed_in', { customer: { source_id: custSource } });
  assert.equal(ev2.customer.id, c.id, j(ev2));
});

test('events.create without a customer rejects with 400 invalid_payload', async () => {
  await assertVoucherifyError(client.events.create('purchase', {}), 400, 'invalid_payload');
  await assertVoucherifyError(client.events.create('purchase', { metadata: { a: 1 } }), 400, 'invalid_payload');
});

test('events.create without an event name rejects with 400', async () => {
  // The SDK puts eventName into the body as `event`; undefined disappears from the JSON body.
  await assertVoucherifyError(client.events.create(undefined, { customer: { source_id: uniq('ev-noname') } }), 400, null);
});

// ---------------------------------------------------------------------------------------------------------------
// GET /v1/customers/{id}/activity

test('customers.listActivity lists a customer.custom_event whose data.event is the tracked event', async () => {
  const custSource = uniq('act-ev');
  const ev = await client.events.create('cart_abandoned', {
    customer: { source_id: custSource },
    metadata: { cart: 'c-1' },
  });
  const res = await client.customers.listActivity(custSource, { limit: 10 });
  assertActivityList(res);
  const ctx = j(res);
  // The event created the customer: customer.created is the older entry.
  assert.deepEqual(res.data.map((x) => x.type), ['customer.custom_event', 'customer.created'], ctx);
  assert.equal(res.total, 2, ctx);
  assert.equal(res.has_more, false, ctx);
  const [a] = res.data;
  assert.equal(a.type, 'customer.custom_event', ctx);
  assert.equal(a.data.event?.id, ev.id, ctx);
  assert.equal(a.data.event.object, 'event', ctx);
  assert.equal(a.data.event.type, 'cart_abandoned', ctx);
  assert.deepEqual(a.data.event.metadata, { cart: 'c-1' }, ctx);
  assert.equal(a.data.event.customer?.id, ev.customer.id, ctx);

  // Addressing by id gives the same list.
  const byId = await client.customers.listActivity(ev.customer.id, { limit: 10 });
  assert.deepEqual(byId.data.map((x) => x.id), res.data.map((x) => x.id), j(byId));
});

test('customers.listActivity returns entries newest first', async () => {
  const custSource = uniq('act-order');
  for (const name of ['first', 'second', 'third']) {
    await client.events.create(name, { customer: { source_id: custSource } });
  }
  const res = await client.customers.listActivity(custSource, { limit: 10 });
  assertActivityList(res);
  const ctx = j(res);
  assert.deepEqual(res.data.map((a) => a.data.event?.type ?? a.type),
    ['third', 'second', 'first', 'customer.created'], ctx);
  const times = res.data.map((a) => Date.parse(a.created_at));
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], `created_at not descending in ${ctx}`);
});

test('customers.listActivity records customer.order.created / paid / fulfilled / updated with data.order', async () => {
  const custSource = uniq('act-ord-cust');
  const orderSource = uniq('act-ord');
  const created = await client.orders.create(order(orderSource, custSource, 'CREATED', 2500));

  let res = await client.customers.listActivity(custSource, { limit: 10 });
  assertActivityList(res, 'after create');
  let ctx = j(res);
  assert.deepEqual(res.data.map((a) => a.type), ['customer.order.created', 'customer.created'], ctx);
  assert.deepEqual(res.data[0].data.order, {
    id: created.id, source_id: orderSource, status: 'CREATED', amount: 2500, object: 'order',
  }, ctx);

  await client.orders.update({ id: created.id, status: 'PAID' });
  await client.orders.update({ id: created.id, status: 'FULFILLED' });
  await client.orders.update({ id: created.id, metadata: { note: 'gift wrap' } });

  res = await client.customers.listActivity(custSource, { limit: 10 });
  assertActivityList(res, 'after updates');
  ctx = j(res);
  assert.deepEqual(res.data.map((a) => a.type), [
    'customer.order.updated', 'customer.order.fulfilled', 'customer.order.paid', 'customer.order.created',
    'customer.created',
  ], ctx);
  for (const a of res.data.slice(0, 4)) {
    assert.equal(a.data.order?.id, created.id, ctx);
    assert.equal(a.data.order.object, 'order', ctx);
  }
  assert.equal(res.data[2].data.order.status, 'PAID', ctx);
  assert.equal(res.data[1].data.order.status, 'FULFILLED', ctx);
});

test('customers.listActivity records customer.order.canceled', async () => {
  const custSource = uniq('act-cancel-cust');
  const o = await client.orders.create(order(uniq('act-cancel'), custSource, 'CREATED', 1000));
  await client.orders.update({ id: o.id, status: 'CANCELED' });
  const res = await client.customers.listActivity(custSource, { limit: 10 });
  assertActivityList(res);
  const ctx = j(res);
  assert.deepEqual(res.data.map((a) => a.type),
    ['customer.order.canceled', 'customer.order.created', 'customer.created'], ctx);
  assert.equal(res.data[0].data.order.status, 'CANCELED', ctx);
});

test('customers.listActivity pages with limit, has_more, more_starting_after and starting_after_id', async () => {
  const custSource = uniq('act-page');
  const evs = [];
  for (const name of ['p1', 'p2', 'p3']) evs.push(await client.events.create(name, { customer: { source_id: custSource } }));

  const first = await client.customers.listActivity(custSource, { limit: 1 });
  assertActivityList(first, 'page 1');
  let ctx = j(first);
  assert.equal(first.data.length, 1, ctx);
  assert.equal(first.data[0].data.event?.id, evs[2].id, `newest first in ${ctx}`);
  assert.equal(first.has_more, true, ctx);
  assert.equal(typeof first.more_starting_after, 'string', ctx);
  assert.ok(first.more_starting_after.length > 0, ctx);

  const rest = await client.customers.listActivity(custSource, { limit: 10, starting_after_id: first.more_starting_after });
  assertActivityList(rest, 'rest');
  ctx = j(rest);
  assert.deepEqual(rest.data.map((a) => a.data.event?.id ?? a.type),
    [evs[1].id, evs[0].id, 'customer.created'], ctx);
  assert.equal(rest.has_more, false, ctx);
  assert.ok(!rest.data.some((a) => a.id === first.data[0].id), `page 1 entry repeated in ${ctx}`);
});

test('customers.listActivity of an unknown customer rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.customers.listActivity(uniq('no-such-customer'), { limit: 10 }), 404, 'not_found');
  await assertVoucherifyError(client.customers.listActivity('cust_doesNotExist0000000000', { limit: 10 }), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// POST /v1/customers/{id}/permanent-deletion and DELETE /v1/customers/{id}

test('customers.deletePermanently returns a pernament_deletion object counting the removed activity and orders', async () => {
  const custSource = uniq('perm-del');
  const ev = await client.events.create('purchase', { customer: { source_id: custSource } });
  const custId = ev.customer.id;
  const o1 = await client.orders.create(order(uniq('perm-ord'), custSource, 'PAID', 1200));
  const o2 = await client.orders.create(order(uniq('perm-ord'), custSource, 'CREATED', 800));
  // activity: customer.created + 1 custom event + 2 order.created (the orders only name the
  // existing customer, which records nothing)
  const before = await client.customers.listActivity(custSource, { limit: 100 });
  assert.equal(before.data.length, 4, j(before));

  const del = await client.customers.deletePermanently(custSource);
  const ctx = j(del);
  assert.match(del.id ?? '', DEL_ID, ctx);
  assert.equal(del.object, 'pernament_deletion', ctx);
  assert.equal(del.status, 'DONE', ctx);
  assert.equal(del.related_object, 'customer', ctx);
  assert.equal(del.related_object_id, custId, ctx);
  assertIsoTimestamp(del.created_at, 'deletion.created_at');
  assert.equal(typeof del.data_json, 'object', ctx);
  for (const k of ['events', 'customer_events', 'daily_events', 'segments', 'orders', 'order_events', 'customer']) {
    assert.equal(typeof del.data_json?.[k], 'number', `data_json.${k} must be a number in ${ctx}`);
  }
  assert.equal(del.data_json.customer_events, 4, ctx);
  assert.equal(del.data_json.orders, 2, ctx);
  assert.equal(del.data_json.customer, 1, ctx);

  await assertVoucherifyError(client.customers.get(custSource), 404, 'not_found');
  await assertVoucherifyError(client.customers.get(custId), 404, 'not_found');
  await assertVoucherifyError(client.orders.get(o1.id), 404, 'not_found');
  await assertVoucherifyError(client.orders.get(o2.id), 404, 'not_found');
  await assertVoucherifyError(client.customers.listActivity(custId, { limit: 10 }), 404, 'not_found');
});

test('customers.deletePermanently of an unknown customer rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.customers.deletePermanently(uniq('perm-none')), 404, 'not_found');
});

test('customers.delete also removes the customer\'s orders', async () => {
  const custSource = uniq('del-cust');
  const o = await client.orders.create(order(uniq('del-ord'), custSource, 'PAID', 4000));
  const other = await client.orders.create(order(uniq('del-ord-other'), uniq('del-other-cust'), 'PAID', 4000));
  const c = await client.customers.get(custSource);
  await client.customers.delete(c.id);
  await assertVoucherifyError(client.customers.get(c.id), 404, 'not_found');
  await assertVoucherifyError(client.orders.get(o.id), 404, 'not_found');
  // Another customer's order is untouched.
  assert.equal((await client.orders.get(other.id)).id, other.id);
});

// ---------------------------------------------------------------------------------------------------------------
// customer summary.orders

test('customers.get summary.orders counts PAID and FULFILLED orders only', async () => {
  const custSource = uniq('sum-cust');
  await client.orders.create(order(uniq('sum-created'), custSource, 'CREATED', 700));
  const toCancel = await client.orders.create(order(uniq('sum-cancel'), custSource, 'CREATED', 900));
  await client.orders.update({ id: toCancel.id, status: 'CANCELED' });
  await client.orders.create(order(uniq('sum-paid'), custSource, 'PAID', 3000));
  const fulfilled = await client.orders.create(order(uniq('sum-fulfilled'), custSource, 'FULFILLED', 5000));

  const c = await client.customers.get(custSource);
  const s = c.summary?.orders;
  const ctx = j(c.summary);
  assert.equal(typeof s, 'object', ctx);
  assert.equal(s.total_count, 2, ctx);
  assert.equal(s.total_amount, 8000, ctx);
  assert.equal(s.average_amount, 4000, ctx);
  assert.equal(s.last_order_amount, 5000, ctx);
  assertIsoTimestamp(s.last_order_date, 'summary.orders.last_order_date');
  assert.ok(Date.parse(s.last_order_date) >= Date.parse(fulfilled.created_at) - 1, ctx);
});
