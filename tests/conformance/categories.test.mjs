// Categories through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 11, 12 and the category delete of 45i.
// Contract: shared/contract/readOnly-openAPI.json, operations create-/get-/update-/list-/delete-category.

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

let counter = 0;
const uniqueName = (base) => `${base} ${++counter}`;

async function createCategory(name, hierarchy) {
  return client.categories.create({ name, hierarchy });
}

test('categories.create returns exactly {id, name, hierarchy, created_at, object} (kit #11)', async () => {
  const name = uniqueName('Eighth');
  const created = await createCategory(name, 8);

  assert.match(created.id, /^cat_[0-9a-zA-Z]+$/);
  assertIsoTimestamp(created.created_at, 'created_at');
  // The SDK's own test uses toEqual on exactly these keys: no updated_at, no extras.
  assert.deepEqual(created, {
    id: created.id,
    name,
    hierarchy: 8,
    created_at: created.created_at,
    object: 'category',
  });
});

test('categories.create accepts hierarchy 0 (contract minimum)', async () => {
  const name = uniqueName('Zeroth');
  const created = await createCategory(name, 0);
  assert.equal(created.hierarchy, 0);
  assert.equal(created.name, name);
  assert.equal(created.object, 'category');
});

test('categories.create gives distinct ids', async () => {
  const a = await createCategory(uniqueName('Distinct'), 1);
  const b = await createCategory(uniqueName('Distinct'), 1);
  assert.notEqual(a.id, b.id);
});

test('categories.get returns the created category unchanged', async () => {
  const created = await createCategory(uniqueName('Sixth'), 6);
  const got = await client.categories.get(created.id);
  assert.deepEqual(got, created);
});

test('categories.update changes name and hierarchy and sets updated_at (kit #12)', async () => {
  const created = await createCategory(uniqueName('Before'), 2);
  const newName = uniqueName('After');

  const updated = await client.categories.update(created.id, { name: newName, hierarchy: 3 });

  assertIsoTimestamp(updated.updated_at, 'updated_at');
  assert.ok(
    Date.parse(updated.updated_at) >= Date.parse(created.created_at),
    `updated_at ${updated.updated_at} must not precede created_at ${created.created_at}`,
  );
  assert.deepEqual(updated, {
    id: created.id,
    name: newName,
    hierarchy: 3,
    created_at: created.created_at,
    updated_at: updated.updated_at,
    object: 'category',
  });

  // The change is persisted and visible through get.
  const got = await client.categories.get(created.id);
  assert.deepEqual(got, updated);
});

test('categories.list returns {object:"list", data_ref:"data", data, total} (kit #12)', async () => {
  const a = await createCategory(uniqueName('Listed'), 4);
  const b = await createCategory(uniqueName('Listed'), 5);

  const list = await client.categories.list();

  assert.equal(list.object, 'list');
  assert.equal(list.data_ref, 'data');
  assert.ok(Array.isArray(list.data), 'data must be an array');
  assert.ok(Number.isInteger(list.total), 'total must be an integer');
  // The contract has exactly these four keys; the 2.9.0 SDK type also declares has_more.
  const allowed = new Set(['object', 'data_ref', 'data', 'total', 'has_more']);
  for (const k of Object.keys(list)) assert.ok(allowed.has(k), `unexpected key in list response: ${k}`);
  if ('has_more' in list) assert.equal(typeof list.has_more, 'boolean');

  // Fresh database, only this file's categories, far fewer than any page size.
  assert.equal(list.total, list.data.length);
  assert.ok(list.total >= 2);

  for (const item of list.data) {
    assert.match(item.id, /^cat_/);
    assert.equal(item.object, 'category');
    assert.equal(typeof item.name, 'string');
    assert.ok(Number.isInteger(item.hierarchy));
    assertIsoTimestamp(item.created_at, `data[${item.id}].created_at`);
  }
  assert.deepEqual(list.data.find((c) => c.id === a.id), a);
  assert.deepEqual(list.data.find((c) => c.id === b.id), b);
  assert.equal(new Set(list.data.map((c) => c.id)).size, list.data.length, 'ids must be unique');
});

test('categories.delete removes the category; get then rejects 404 not_found (kit #45i)', async () => {
  const created = await createCategory(uniqueName('Doomed'), 7);

  await client.categories.delete(created.id);

  await assertVoucherifyError(client.categories.get(created.id), 404, 'not_found');

  const list = await client.categories.list();
  assert.equal(list.data.find((c) => c.id === created.id), undefined, 'deleted category must not be listed');

  // Deleting it again is a 404 as well.
  await assertVoucherifyError(client.categories.delete(created.id), 404, 'not_found');
});

test('DELETE /v1/categories/{id} answers 204 with an empty body (raw HTTP; the SDK hides the status)', async () => {
  const created = await createCategory(uniqueName('Raw'), 1);
  const res = await fetch(`${srv.url}/v1/categories/${encodeURIComponent(created.id)}`, {
    method: 'DELETE',
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken },
  });
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
});

test('get of an unknown category rejects with the Voucherify 404 error body', async () => {
  await assert.rejects(client.categories.get('cat_doesnotexist0000'), (err) => {
    assert.equal(err.code, 404);
    assert.equal(err.key, 'not_found');
    assert.equal(err.message, 'Resource not found');
    assert.equal(typeof err.request_id, 'string');
    return true;
  });
});

test('a wrong secret key makes the SDK reject with 401 unauthorized', async () => {
  const bad = srv.makeClient({ secretKey: `${srv.appToken}-wrong` });
  await assertVoucherifyError(bad.categories.list(), 401, 'unauthorized');
  await assertVoucherifyError(bad.categories.create({ name: 'Nope', hierarchy: 1 }), 401, 'unauthorized');

  // Nothing was created by the rejected call.
  const list = await client.categories.list();
  assert.equal(list.data.find((c) => c.name === 'Nope'), undefined);
});
