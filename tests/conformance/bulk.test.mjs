// Bulk and CSV writes of customers, products and SKUs through the real @voucherify/sdk 2.9.0 client.
// Contract: shared/contract/readOnly-openAPI.json, operations update-customers-in-bulk
// (POST /v1/customers/bulk/async, 202), update-customers-metadata-in-bulk (POST /v1/customers/metadata/async, 202),
// post-products-in-bulk (POST /v1/products/bulk/async), update-products-metadata-in-bulk
// (POST /v1/products/metadata/async), import-customers-using-csv (POST /v1/customers/importCSV, 202),
// import-products-using-csv (POST /v1/products/importCSV, 200) and import-skus-using-csv
// (POST /v1/skus/importCSV, 200). Every one answers {async_action_id}; the async action (AsyncActionBase) carries
// type CUSTOMERS.BULK_UPDATE / CUSTOMERS.METADATA_UPDATE / CUSTOMERS.IMPORT_CSV / PRODUCTS.BULK_UPDATE /
// PRODUCTS.METADATA_UPDATE / PRODUCTS.IMPORT_CSV / SKUS.IMPORT_CSV and, once DONE,
// result {message, done_count, failed_count, failed:[{row (1-based), source_id, reason}]} (ours).
//
// SDK 2.9.0 methods used: customers.{updateInBulk,updateMetadataInBulk,importCSV,create,get},
// products.{bulkUpdate,bulkUpdateMetadata,importCSV,importSkusCSV,create,get,createSku,listSkus},
// asyncActions.get. The SDK hides the HTTP status, so raw fetch reads it where the status is asserted, and
// sends the malformed requests (multipart without `file`, JSON to an importCSV endpoint).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from './harness.mjs';
import { j, makeUniq, sleep } from './helpers.mjs';
import { assertVoucherifyError } from './assertions.mjs';

const AA_ID = /^aa_[0-9a-zA-Z]+$/;
const ASYNC_STATUSES = ['ENQUEUED', 'IN_PROGRESS', 'DONE', 'FAILED'];
const ASYNC_TIMEOUT_MS = 10_000;

const uniq = makeUniq();

let srv;
let client;
let csvDir;

before(async () => {
  srv = await startServer();
  client = srv.client;
  csvDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openpromo-bulk-csv-'));
});

after(async () => {
  if (csvDir) fs.rmSync(csvDir, { recursive: true, force: true });
  await srv?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

function authHeaders() {
  return { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, Accept: 'application/json' };
}

async function readReply(res) {
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, text, json };
}

async function raw(method, urlPath, body) {
  const headers = authHeaders();
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return readReply(await fetch(`${srv.url}${urlPath}`, init));
}

// POST a multipart body (fetch sets the boundary); `fields` maps field name -> [content, filename?].
async function rawMultipart(urlPath, fields) {
  const form = new FormData();
  for (const [name, [content, filename]] of Object.entries(fields)) {
    if (filename) form.append(name, new Blob([content], { type: 'text/csv' }), filename);
    else form.append(name, content);
  }
  return readReply(await fetch(`${srv.url}${urlPath}`, { method: 'POST', headers: authHeaders(), body: form }));
}

function writeCsv(name, lines) {
  const file = path.join(csvDir, `${uniq(name)}.csv`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function assertAccepted(reply, status, label) {
  assert.equal(reply.status, status, `${label}: HTTP status (body ${reply.text})`);
  assert.match(reply.json?.async_action_id ?? '', AA_ID, `${label}: async_action_id in ${reply.text}`);
  return reply.json.async_action_id;
}

async function waitForAsyncAction(id) {
  const deadline = Date.now() + ASYNC_TIMEOUT_MS;
  for (;;) {
    const action = await client.asyncActions.get(id);
    assert.equal(action.object, 'async_action', j(action));
    assert.equal(action.id, id);
    assert.ok(ASYNC_STATUSES.includes(action.status), `unexpected async action status in ${j(action)}`);
    if (action.status === 'DONE' || action.status === 'FAILED') return action;
    if (Date.now() > deadline) assert.fail(`async action ${id} still ${action.status} after ${ASYNC_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

// Waits for the action, checks it is DONE with `type` and a well-formed result, and returns the result.
async function finished(id, type, { done, failed = 0 } = {}) {
  assert.match(id ?? '', AA_ID, `async_action_id ${j(id)}`);
  const action = await waitForAsyncAction(id);
  const ctx = j(action);
  assert.equal(action.status, 'DONE', ctx);
  assert.equal(action.type, type, ctx);
  const r = action.result;
  assert.ok(r && typeof r === 'object', `result must be an object in ${ctx}`);
  assert.equal(typeof r.message, 'string', `result.message in ${ctx}`);
  assert.ok(r.message.length > 0, `result.message in ${ctx}`);
  assert.equal(typeof r.done_count, 'number', `result.done_count in ${ctx}`);
  assert.equal(typeof r.failed_count, 'number', `result.failed_count in ${ctx}`);
  assert.ok(Array.isArray(r.failed), `result.failed must be an array in ${ctx}`);
  assert.equal(r.failed.length, r.failed_count, `failed_count = failed.length in ${ctx}`);
  for (const [i, f] of r.failed.entries()) {
    assert.equal(typeof f.row, 'number', `failed[${i}].row in ${ctx}`);
    assert.equal(typeof f.reason, 'string', `failed[${i}].reason in ${ctx}`);
    assert.ok(f.reason.length > 0, `failed[${i}].reason in ${ctx}`);
  }
  if (done !== undefined) assert.equal(r.done_count, done, `done_count in ${ctx}`);
  assert.equal(r.failed_count, failed, `failed_count in ${ctx}`);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// customers: bulk update

test('POST /v1/customers/bulk/async answers 202 {async_action_id}; the action ends DONE as CUSTOMERS.BULK_UPDATE', async () => {
  const sourceId = uniq('bulk-status-cust');
  const reply = await raw('POST', '/v1/customers/bulk/async', [{ source_id: sourceId, name: 'Status Check' }]);
  const id = assertAccepted(reply, 202, 'customers bulk');
  await finished(id, 'CUSTOMERS.BULK_UPDATE', { done: 1 });
  assert.equal((await client.customers.get(sourceId)).name, 'Status Check');
});

test('customers.updateInBulk upserts: missing customers are created, existing ones keep unsent metadata keys', async () => {
  const existingSource = uniq('bulk-cust-existing');
  const newSource = uniq('bulk-cust-new');
  const existing = await client.customers.create({
    source_id: existingSource, name: 'Old Name', email: `${existingSource}@example.com`,
    metadata: { keep: 'x', plan: 'basic' },
  });

  const res = await client.customers.updateInBulk([
    { source_id: existingSource, name: 'New Name', metadata: { plan: 'pro', seats: 5 } },
    {
      source_id: newSource,
      name: 'Bulk Created',
      email: `${newSource}@example.com`,
      metadata: { origin: 'bulk' },
      address: { city: 'Warsaw', country: 'Poland' },
    },
  ]);
  await finished(res.async_action_id, 'CUSTOMERS.BULK_UPDATE', { done: 2 });

  const updated = await client.customers.get(existingSource);
  assert.equal(updated.id, existing.id, 'the existing customer is updated in place');
  assert.equal(updated.name, 'New Name', j(updated));
  assert.equal(updated.email, `${existingSource}@example.com`, `fields not sent are kept: ${j(updated)}`);
  assert.deepEqual(updated.metadata, { keep: 'x', plan: 'pro', seats: 5 }, `metadata merged: ${j(updated)}`);

  const created = await client.customers.get(newSource);
  assert.equal(created.object, 'customer');
  assert.equal(created.source_id, newSource);
  assert.equal(created.name, 'Bulk Created');
  assert.equal(created.email, `${newSource}@example.com`);
  assert.deepEqual(created.metadata, { origin: 'bulk' });
  assert.equal(created.address?.city, 'Warsaw', j(created));
  assert.equal(created.address?.country, 'Poland', j(created));
});

test('customers.updateInBulk: a row without source_id or with an invalid email fails alone (1-based row), the rest are written', async () => {
  const ok1 = uniq('bulk-cust-ok');
  const ok2 = uniq('bulk-cust-ok');
  const badEmail = uniq('bulk-cust-bad-email');
  const res = await client.customers.updateInBulk([
    { source_id: ok1, name: 'First' },
    { name: 'No Source Id' },
    { source_id: ok2, name: 'Third' },
    { source_id: badEmail, name: 'Bad Email', email: 'bad' },
  ]);
  const r = await finished(res.async_action_id, 'CUSTOMERS.BULK_UPDATE', { done: 2, failed: 2 });
  const ctx = j(r);
  const byRow = Object.fromEntries(r.failed.map((f) => [f.row, f]));
  assert.deepEqual(Object.keys(byRow).map(Number).sort(), [2, 4], `failed rows in ${ctx}`);
  assert.ok([undefined, null, ''].includes(byRow[2].source_id), `row 2 has no source_id in ${ctx}`);
  assert.equal(byRow[4].source_id, badEmail, ctx);
  assert.match(byRow[4].reason, /email/i, `the reason names the e-mail: ${ctx}`);

  assert.equal((await client.customers.get(ok1)).name, 'First');
  assert.equal((await client.customers.get(ok2)).name, 'Third');
  await assertVoucherifyError(client.customers.get(badEmail), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// customers: metadata update

test('customers.updateMetadataInBulk merges the metadata into every listed customer and creates missing ones (202, CUSTOMERS.METADATA_UPDATE)', async () => {
  const a = uniq('meta-cust-a');
  const b = uniq('meta-cust-b');
  const missing = uniq('meta-cust-missing');
  await client.customers.create({ source_id: a, name: 'A', metadata: { keep: 1, tier: 'bronze' } });
  await client.customers.create({ source_id: b, name: 'B' });

  const reply = await raw('POST', '/v1/customers/metadata/async', { source_ids: [a], metadata: { probe: true } });
  await finished(assertAccepted(reply, 202, 'customers metadata'), 'CUSTOMERS.METADATA_UPDATE', { done: 1 });

  const res = await client.customers.updateMetadataInBulk({
    source_ids: [a, b, missing],
    metadata: { tier: 'gold', newsletter: true },
  });
  await finished(res.async_action_id, 'CUSTOMERS.METADATA_UPDATE', { done: 3 });

  const ca = await client.customers.get(a);
  assert.deepEqual(ca.metadata, { keep: 1, tier: 'gold', newsletter: true, probe: true }, j(ca));
  assert.equal(ca.name, 'A', 'other fields are untouched');
  const cb = await client.customers.get(b);
  assert.deepEqual(cb.metadata, { tier: 'gold', newsletter: true }, j(cb));
  const cm = await client.customers.get(missing);
  assert.equal(cm.source_id, missing, j(cm));
  assert.deepEqual(cm.metadata, { tier: 'gold', newsletter: true }, j(cm));
});

test('customers.updateMetadataInBulk with empty source_ids rejects synchronously with 400 invalid_payload', async () => {
  await assertVoucherifyError(
    client.customers.updateMetadataInBulk({ source_ids: [], metadata: { x: 1 } }), 400, 'invalid_payload');
});

// ---------------------------------------------------------------------------------------------------------------
// products: bulk and metadata update

test('products.bulkUpdate (POST /v1/products/bulk/async, 202) upserts products as PRODUCTS.BULK_UPDATE', async () => {
  const existingSource = uniq('bulk-prod-existing');
  const newSource = uniq('bulk-prod-new');
  const existing = await client.products.create({
    source_id: existingSource, name: 'Old Mug', price: 1000, metadata: { keep: 'x', color: 'red' },
  });

  const reply = await raw('POST', '/v1/products/bulk/async', [{ source_id: uniq('bulk-prod-probe'), name: 'Probe' }]);
  await finished(assertAccepted(reply, 202, 'products bulk'), 'PRODUCTS.BULK_UPDATE', { done: 1 });

  const res = await client.products.bulkUpdate([
    { source_id: existingSource, name: 'New Mug', price: 1200, metadata: { color: 'blue' } },
    { source_id: newSource, name: 'Bulk Plate', price: 800, metadata: { material: 'porcelain' } },
  ]);
  await finished(res.async_action_id, 'PRODUCTS.BULK_UPDATE', { done: 2 });

  const updated = await client.products.get(existingSource);
  assert.equal(updated.id, existing.id, j(updated));
  assert.equal(updated.name, 'New Mug', j(updated));
  assert.equal(updated.price, 1200, j(updated));
  assert.deepEqual(updated.metadata, { keep: 'x', color: 'blue' }, j(updated));
  const created = await client.products.get(newSource);
  assert.equal(created.object, 'product', j(created));
  assert.equal(created.name, 'Bulk Plate', j(created));
  assert.equal(created.price, 800, j(created));
  assert.deepEqual(created.metadata, { material: 'porcelain' }, j(created));
});

test('products.bulkUpdateMetadata (POST /v1/products/metadata/async, 202) merges metadata as PRODUCTS.METADATA_UPDATE', async () => {
  const a = uniq('meta-prod-a');
  const b = uniq('meta-prod-b');
  await client.products.create({ source_id: a, name: 'Prod A', price: 500, metadata: { keep: 1, season: 'summer' } });
  await client.products.create({ source_id: b, name: 'Prod B', price: 600 });

  const reply = await raw('POST', '/v1/products/metadata/async', { source_ids: [a], metadata: { probe: 'yes' } });
  await finished(assertAccepted(reply, 202, 'products metadata'), 'PRODUCTS.METADATA_UPDATE', { done: 1 });

  const res = await client.products.bulkUpdateMetadata({ source_ids: [a, b], metadata: { season: 'winter', sale: true } });
  await finished(res.async_action_id, 'PRODUCTS.METADATA_UPDATE', { done: 2 });

  const pa = await client.products.get(a);
  assert.deepEqual(pa.metadata, { keep: 1, season: 'winter', sale: true, probe: 'yes' }, j(pa));
  assert.equal(pa.name, 'Prod A', 'other fields are untouched');
  assert.equal(pa.price, 500, 'other fields are untouched');
  const pb = await client.products.get(b);
  assert.deepEqual(pb.metadata, { season: 'winter', sale: true }, j(pb));
});

// ---------------------------------------------------------------------------------------------------------------
// CSV imports

test('customers.importCSV (202, CUSTOMERS.IMPORT_CSV): case-insensitive headers, address_*, metadata_* and unknown columns as text', async () => {
  const s1 = uniq('csv-cust');
  const s2 = uniq('csv-cust');
  const file = writeCsv('customers', [
    'SOURCE_ID,Name,EMAIL,phone,birthdate,description,Address_City,Address Country,Metadata_plan,tier',
    `${s1},Csv One,${s1}@example.com,+48 111 222 333,1990-05-17,"Likes, commas",Krakow,Poland,gold,3`,
    `${s2},Csv Two,,,,,,,,`,
  ]);

  const reply = await rawMultipart('/v1/customers/importCSV', { file: [fs.readFileSync(file), 'probe.csv'] });
  // The probe re-imports the same rows; the SDK call below then upserts them again.
  await finished(assertAccepted(reply, 202, 'customers importCSV'), 'CUSTOMERS.IMPORT_CSV', { done: 2 });

  const res = await client.customers.importCSV(file);
  await finished(res.async_action_id, 'CUSTOMERS.IMPORT_CSV', { done: 2 });

  const c1 = await client.customers.get(s1);
  const ctx1 = j(c1);
  assert.equal(c1.name, 'Csv One', ctx1);
  assert.equal(c1.email, `${s1}@example.com`, ctx1);
  assert.equal(c1.phone, '+48 111 222 333', ctx1);
  assert.equal(c1.birthdate, '1990-05-17', ctx1);
  assert.equal(c1.description, 'Likes, commas', ctx1);
  assert.equal(c1.address?.city, 'Krakow', ctx1);
  assert.equal(c1.address?.country, 'Poland', ctx1);
  assert.deepEqual(c1.metadata, { plan: 'gold', tier: '3' }, `metadata cells are strings: ${ctx1}`);

  const c2 = await client.customers.get(s2);
  const ctx2 = j(c2);
  assert.equal(c2.name, 'Csv Two', ctx2);
  assert.ok(c2.email == null, `empty cells are skipped: ${ctx2}`);
  assert.ok(c2.description == null, `empty cells are skipped: ${ctx2}`);
  assert.deepEqual(c2.metadata ?? {}, {}, `empty cells add no metadata: ${ctx2}`);
});

test('products.importCSV (200, PRODUCTS.IMPORT_CSV): attributes list, whole-number price, metadata; a non-numeric price fails its row', async () => {
  const p1 = uniq('csv-prod');
  const p2 = uniq('csv-prod');
  const bad = uniq('csv-prod-bad');
  const file = writeCsv('products', [
    'name,source_id,price,attributes,image_url,Metadata_brand,origin',
    `Csv Shirt,${p1},2500,"color, size",https://example.com/shirt.png,Acme,PL`,
    `Csv Cap,${p2},900,,,,`,
    `Csv Broken,${bad},abc,,,,`,
  ]);

  const reply = await rawMultipart('/v1/products/importCSV', { file: [fs.readFileSync(file), 'products.csv'] });
  const probe = await finished(assertAccepted(reply, 200, 'products importCSV'), 'PRODUCTS.IMPORT_CSV',
    { done: 2, failed: 1 });
  assert.equal(probe.failed[0].row, 3, j(probe));
  assert.equal(probe.failed[0].source_id, bad, j(probe));

  const res = await client.products.importCSV(file);
  const r = await finished(res.async_action_id, 'PRODUCTS.IMPORT_CSV', { done: 2, failed: 1 });
  assert.equal(r.failed[0].row, 3, j(r));
  assert.equal(r.failed[0].source_id, bad, j(r));

  const shirt = await client.products.get(p1);
  const ctx = j(shirt);
  assert.equal(shirt.name, 'Csv Shirt', ctx);
  assert.equal(shirt.price, 2500, ctx);
  assert.deepEqual(shirt.attributes, ['color', 'size'], ctx);
  assert.equal(shirt.image_url, 'https://example.com/shirt.png', ctx);
  assert.deepEqual(shirt.metadata, { brand: 'Acme', origin: 'PL' }, ctx);

  const cap = await client.products.get(p2);
  assert.equal(cap.name, 'Csv Cap', j(cap));
  assert.equal(cap.price, 900, j(cap));
  assert.deepEqual(cap.metadata ?? {}, {}, j(cap));
  await assertVoucherifyError(client.products.get(bad), 404, 'not_found');
});

test('products.importSkusCSV (POST /v1/skus/importCSV, 200, SKUS.IMPORT_CSV): product by id or source_id, attributes object, unknown product fails, existing sku updated', async () => {
  const product = await client.products.create({ source_id: uniq('csv-sku-prod'), name: 'Sku Host', price: 1000 });
  const existing = await client.products.createSku(product.id, {
    source_id: uniq('csv-sku-existing'), sku: 'Existing', price: 1100, currency: 'USD',
  });
  const s1 = uniq('csv-sku');
  const s2 = uniq('csv-sku');
  const orphan = uniq('csv-sku-orphan');
  const file = writeCsv('skus', [
    'product_id,sku,source_id,price,currency,image_url,attributes',
    `${product.id},Blue M,${s1},1300,USD,https://example.com/blue.jpg,"{'color':'blue','size':'M'}"`,
    `${product.source_id},Red L,${s2},1400,EUR,,{'color':'red'}`,
    `${uniq('no-such-product')},Ghost,${orphan},100,USD,,`,
    `${product.id},Existing,${existing.source_id},1999,,,`,
  ]);

  const reply = await rawMultipart('/v1/skus/importCSV', { file: [fs.readFileSync(file), 'skus.csv'] });
  const probe = await finished(assertAccepted(reply, 200, 'skus importCSV'), 'SKUS.IMPORT_CSV', { done: 3, failed: 1 });
  assert.equal(probe.failed[0].row, 3, j(probe));
  assert.equal(probe.failed[0].source_id, orphan, j(probe));

  // Importing the same file again updates the SKUs created by the first import (no duplicates).
  const res = await client.products.importSkusCSV(file);
  const r = await finished(res.async_action_id, 'SKUS.IMPORT_CSV', { done: 3, failed: 1 });
  assert.equal(r.failed[0].row, 3, j(r));

  const listed = await client.products.listSkus(product.id);
  const ctx = j(listed);
  const bySource = Object.fromEntries(listed.skus.map((s) => [s.source_id, s]));
  assert.equal(listed.skus.length, 3, `existing + 2 imported, no duplicates: ${ctx}`);
  assert.equal(bySource[s1]?.sku, 'Blue M', ctx);
  assert.equal(bySource[s1]?.price, 1300, ctx);
  assert.equal(bySource[s1]?.currency, 'USD', ctx);
  assert.equal(bySource[s1]?.image_url, 'https://example.com/blue.jpg', ctx);
  assert.deepEqual(bySource[s1]?.attributes, { color: 'blue', size: 'M' }, ctx);
  assert.equal(bySource[s2]?.sku, 'Red L', ctx);
  assert.equal(bySource[s2]?.price, 1400, ctx);
  assert.equal(bySource[s2]?.currency, 'EUR', ctx);
  assert.deepEqual(bySource[s2]?.attributes, { color: 'red' }, ctx);
  assert.equal(bySource[existing.source_id]?.id, existing.id, ctx);
  assert.equal(bySource[existing.source_id]?.price, 1999, `the existing sku's price changes: ${ctx}`);
  assert.equal(bySource[orphan], undefined, ctx);
});

test('importCSV without a `file` part rejects with 400 invalid_payload; a JSON body with 415 (or 400)', async () => {
  for (const p of ['/v1/customers/importCSV', '/v1/products/importCSV', '/v1/skus/importCSV']) {
    const noFile = await rawMultipart(p, { other: ['source_id,name\nx,y\n'] });
    assert.equal(noFile.status, 400, `${p} without file: ${noFile.text}`);
    assert.equal(noFile.json?.key, 'invalid_payload', `${p} without file: ${noFile.text}`);

    const asJson = await raw('POST', p, { source_id: 'x', name: 'y' });
    assert.ok([400, 415].includes(asJson.status), `${p} with JSON: ${asJson.status} ${asJson.text}`);
    if (asJson.status === 415) assert.equal(asJson.json?.key, 'unsupported_media_type', asJson.text);
    else assert.equal(asJson.json?.key, 'invalid_payload', asJson.text);
  }
});
