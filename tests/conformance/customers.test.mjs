// Customers through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): table A steps 1-4, the customers.delete of 45i and
// its follow-up 404. Contract: shared/contract/readOnly-openAPI.json, operations create-customer,
// get-customer, update-customer, list-customers and delete-customer.
// Not covered (not implemented by the server yet): activity, segments, CSV import, bulk updates,
// permanent deletion, redeemables.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const CUST_ID = /^cust_[0-9a-zA-Z]+$/;

let srv;
let client;

before(async () => {
  srv = await startServer();
  client = srv.client;
});

after(async () => {
  await srv?.stop();
});

function assertCustomerShape(c, label = 'customer') {
  assert.equal(c.object, 'customer', `${label}.object`);
  assert.match(c.id, CUST_ID, `${label}.id`);
  assert.ok('address' in c, `${label}.address must be present`);
  assert.equal(typeof c.summary, 'object', `${label}.summary must be an object`);
  assert.notEqual(c.summary, null, `${label}.summary must not be null`);
  assert.equal(typeof c.loyalty, 'object', `${label}.loyalty must be an object`);
  assert.notEqual(c.loyalty, null, `${label}.loyalty must not be null`);
  assertIsoTimestamp(c.created_at, `${label}.created_at`);
}

test('customers.create returns a customer object (kit #1)', async () => {
  const c = await client.customers.create({
    source_id: 'cust-create-1',
    name: 'Alice Morgan',
    email: 'alice.create@example.com',
    metadata: { lang: 'en', vip: true },
  });
  assertCustomerShape(c);
  assert.equal(c.source_id, 'cust-create-1');
  assert.equal(c.name, 'Alice Morgan');
  assert.equal(c.email, 'alice.create@example.com');
  assert.deepEqual(c.metadata, { lang: 'en', vip: true });
  assert.equal(c.address, null, 'address is null when not given');

  // summary / loyalty of a fresh customer, as in the contract's example.
  assert.equal(typeof c.summary.redemptions, 'object');
  assert.equal(c.summary.redemptions.total_redeemed, 0);
  assert.equal(typeof c.summary.orders, 'object');
  assert.equal(c.summary.orders.total_count, 0);
  assert.equal(c.loyalty.points, 0);
});

test('customers.create keeps a given address', async () => {
  const address = { city: 'New York', state: 'NY', line_1: '123 Main St.', country: 'United States', postal_code: '10001' };
  const c = await client.customers.create({ source_id: 'cust-addr-1', name: 'Bob', address });
  assertCustomerShape(c);
  assert.equal(typeof c.address, 'object');
  assert.notEqual(c.address, null);
  for (const [k, v] of Object.entries(address)) assert.equal(c.address[k], v, `address.${k}`);
});

test('customers.get by source_id and by id return the same customer (kit #2)', async () => {
  const created = await client.customers.create({
    source_id: 'cust-get-1',
    name: 'Carol',
    email: 'carol.get@example.com',
    metadata: { tier: 'gold' },
  });

  const bySource = await client.customers.get('cust-get-1');
  assertCustomerShape(bySource, 'bySource');
  assert.equal(bySource.id, created.id);
  assert.equal(bySource.source_id, 'cust-get-1');
  assert.equal(bySource.name, 'Carol');
  assert.equal(bySource.email, 'carol.get@example.com');
  assert.deepEqual(bySource.metadata, { tier: 'gold' });
  assert.equal(bySource.created_at, created.created_at);

  const byId = await client.customers.get(created.id);
  assertCustomerShape(byId, 'byId');
  assert.equal(byId.id, created.id);
  assert.equal(byId.source_id, 'cust-get-1');
  assert.equal(byId.name, 'Carol');
  assert.equal(byId.email, 'carol.get@example.com');
  assert.deepEqual(byId.metadata, { tier: 'gold' });
  assert.equal(byId.created_at, created.created_at);
});

test('customers.get of an unknown customer rejects with 404 not_found', async () => {
  await assertVoucherifyError(client.customers.get('no-such-customer'), 404, 'not_found');
  await assertVoucherifyError(client.customers.get('cust_doesNotExist0000000000'), 404, 'not_found');
});

test('customers.update({source_id, name}) changes the name and sets updated_at (kit #3)', async () => {
  const created = await client.customers.create({
    source_id: 'cust-upd-1',
    name: 'Dave',
    email: 'dave.upd@example.com',
    metadata: { a: 1 },
  });

  // SDK sends PUT /v1/customers/cust-upd-1 with body {source_id, name}.
  const updated = await client.customers.update({ source_id: 'cust-upd-1', name: 'David' });
  assertCustomerShape(updated, 'updated');
  assert.equal(updated.id, created.id);
  assert.equal(updated.source_id, 'cust-upd-1');
  assert.equal(updated.name, 'David');
  assert.equal(updated.email, 'dave.upd@example.com', 'fields not sent are kept');
  assertIsoTimestamp(updated.updated_at, 'updated_at');
  assert.ok(Date.parse(updated.updated_at) >= Date.parse(created.created_at), 'updated_at >= created_at');

  const fetched = await client.customers.get('cust-upd-1');
  assert.equal(fetched.name, 'David');
  assertIsoTimestamp(fetched.updated_at, 'fetched.updated_at');
});

test('customers.update({id, ...}) addresses the customer by id', async () => {
  const created = await client.customers.create({ source_id: 'cust-upd-2', name: 'Eve' });
  // SDK sends PUT /v1/customers/{id} with the id stripped from the body.
  const updated = await client.customers.update({ id: created.id, name: 'Eva' });
  assert.equal(updated.id, created.id);
  assert.equal(updated.source_id, 'cust-upd-2');
  assert.equal(updated.name, 'Eva');
  assertIsoTimestamp(updated.updated_at, 'updated_at');
});

test('customers.list({limit, page, email}) returns only the matching customer (kit #4)', async () => {
  const target = await client.customers.create({
    source_id: 'cust-list-1',
    name: 'Frank',
    email: 'frank.list@example.com',
  });
  await client.customers.create({ source_id: 'cust-list-2', name: 'Grace', email: 'grace.list@example.com' });

  const res = await client.customers.list({ limit: 10, page: 1, email: 'frank.list@example.com' });
  assert.equal(res.object, 'list');
  assert.equal(res.data_ref, 'customers');
  assert.ok(Array.isArray(res.customers), 'customers must be an array');
  assert.equal(res.customers.length, 1, `expected one customer, got ${JSON.stringify(res.customers.map((c) => c.source_id))}`);
  assert.equal(res.total, 1);
  const [c] = res.customers;
  assertCustomerShape(c, 'customers[0]');
  assert.equal(c.id, target.id);
  assert.equal(c.source_id, 'cust-list-1');
  assert.equal(c.email, 'frank.list@example.com');
});

test('customers.list without filters lists customers, newest first', async () => {
  const res = await client.customers.list({ limit: 100 });
  assert.equal(res.object, 'list');
  assert.equal(res.data_ref, 'customers');
  assert.ok(Array.isArray(res.customers));
  assert.equal(typeof res.total, 'number');
  assert.ok(res.customers.length >= 2);
  assert.ok(res.total >= res.customers.length);
  for (let i = 1; i < res.customers.length; i++) {
    assert.ok(
      res.customers[i - 1].created_at >= res.customers[i].created_at,
      `customers must be sorted by created_at descending (index ${i})`,
    );
  }
  const limited = await client.customers.list({ limit: 1, page: 1 });
  assert.equal(limited.customers.length, 1);
  assert.equal(limited.total, res.total);
});

test('creating the same source_id again upserts: same id, metadata keys merged', async () => {
  const first = await client.customers.create({
    source_id: 'cust-upsert-1',
    name: 'Heidi',
    email: 'heidi@example.com',
    metadata: { a: 1, b: 'x' },
  });
  const second = await client.customers.create({
    source_id: 'cust-upsert-1',
    name: 'Heidi K',
    metadata: { b: 'y', c: true },
  });
  assert.equal(second.object, 'customer');
  assert.equal(second.id, first.id, 'same source_id must resolve to the same customer');
  assert.equal(second.source_id, 'cust-upsert-1');
  assert.equal(second.name, 'Heidi K');
  assert.deepEqual(second.metadata, { a: 1, b: 'y', c: true });

  const fetched = await client.customers.get(first.id);
  assert.equal(fetched.name, 'Heidi K');
  assert.deepEqual(fetched.metadata, { a: 1, b: 'y', c: true });

  const listed = await client.customers.list({ limit: 10, page: 1, email: 'heidi@example.com' });
  assert.equal(listed.customers.length, 1, 'the upsert must not create a second customer');
  assert.equal(listed.customers[0].id, first.id);
});

test('customers.delete then get rejects with 404 not_found (kit #45i)', async () => {
  const created = await client.customers.create({ source_id: 'cust-del-1', name: 'Ivan', email: 'ivan.del@example.com' });

  const res = await client.customers.delete(created.id);
  assert.ok(res === undefined || res === '' || res === null, `delete must return no content, got ${JSON.stringify(res)}`);

  await assertVoucherifyError(client.customers.get(created.id), 404, 'not_found');
  await assertVoucherifyError(client.customers.get('cust-del-1'), 404, 'not_found');

  const listed = await client.customers.list({ limit: 10, page: 1, email: 'ivan.del@example.com' });
  assert.equal(listed.customers.length, 0, 'a deleted customer must not be listed');
  assert.equal(listed.total, 0);

  await assertVoucherifyError(client.customers.delete(created.id), 404, 'not_found');
});

test('customers.delete by source_id works too', async () => {
  const created = await client.customers.create({ source_id: 'cust-del-2', name: 'Judy' });
  await client.customers.delete('cust-del-2');
  await assertVoucherifyError(client.customers.get(created.id), 404, 'not_found');
});
