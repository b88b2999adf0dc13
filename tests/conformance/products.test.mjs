// Products and SKUs through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): table A steps 5-10, the products.deleteSku /
// products.delete of 45i and their follow-up 404s. Contract: shared/contract/readOnly-openAPI.json,
// operations create-product, get-product, update-product, list-products, delete-product, create-sku,
// get-sku, update-sku, list-SKUs-in-product and delete-sku.
// Not covered: bulk / metadata async updates, CSV imports, product collections.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const PROD_ID = /^prod_[0-9a-zA-Z]+$/;
const SKU_ID = /^sku_[0-9a-zA-Z]+$/;

let srv;
let client;

before(async () => {
  srv = await startServer();
  client = srv.client;
});

after(async () => {
  await srv?.stop();
});

function assertNoContent(res, label) {
  assert.ok(res === undefined || res === '' || res === null, `${label} must return no content, got ${JSON.stringify(res)}`);
}

function assertProductShape(p, label = 'product') {
  assert.equal(p.object, 'product', `${label}.object`);
  assert.match(p.id, PROD_ID, `${label}.id`);
  assertIsoTimestamp(p.created_at, `${label}.created_at`);
}

function assertSkuShape(s, label = 'sku') {
  assert.equal(s.object, 'sku', `${label}.object`);
  assert.match(s.id, SKU_ID, `${label}.id`);
  assertIsoTimestamp(s.created_at, `${label}.created_at`);
}

// Kit #5 body.
function productBody(sourceId, extra = {}) {
  return {
    source_id: sourceId,
    name: `Product ${sourceId}`,
    price: 2000,
    attributes: ['color'],
    metadata: { origin: 'conformance', weight: 3 },
    ...extra,
  };
}

// Kit #6 body.
function skuBody(sourceId, extra = {}) {
  return {
    source_id: sourceId,
    sku: `SKU ${sourceId}`,
    price: 2100,
    currency: 'USD',
    attributes: { color: 'red' },
    ...extra,
  };
}

test('products.create returns a product with an empty skus list (kit #5)', async () => {
  const p = await client.products.create(productBody('prod-create-1'));
  assertProductShape(p);
  assert.equal(p.source_id, 'prod-create-1');
  assert.equal(p.name, 'Product prod-create-1');
  assert.equal(p.price, 2000);
  assert.deepEqual(p.attributes, ['color']);
  assert.deepEqual(p.metadata, { origin: 'conformance', weight: 3 });
  assert.deepEqual(p.skus, { object: 'list', data_ref: 'data', data: [], total: 0 });

  const byId = await client.products.get(p.id);
  assertProductShape(byId, 'byId');
  assert.equal(byId.id, p.id);
  assert.equal(byId.price, 2000);
  const bySource = await client.products.get('prod-create-1');
  assert.equal(bySource.id, p.id, 'get-product resolves a source_id too');
});

test('products.create with an existing source_id updates the same product (upsert)', async () => {
  const first = await client.products.create(productBody('prod-upsert-1'));
  const second = await client.products.create({ source_id: 'prod-upsert-1', name: 'Renamed', price: 2500 });
  assertProductShape(second, 'second');
  assert.equal(second.id, first.id, 'the upsert must keep the product id');
  assert.equal(second.name, 'Renamed');
  assert.equal(second.price, 2500);

  const listed = await client.products.list({ limit: 100 });
  const matching = listed.products.filter((x) => x.source_id === 'prod-upsert-1');
  assert.equal(matching.length, 1, 'the upsert must not create a second product');
  assert.equal(matching[0].id, first.id);
});

test('products.createSku returns a sku of the product (kit #6), getSku reads it back (kit #7)', async () => {
  const p = await client.products.create(productBody('prod-sku-1'));
  const s = await client.products.createSku(p.id, skuBody('sku-create-1'));
  assertSkuShape(s);
  assert.equal(s.product_id, p.id);
  assert.equal(s.source_id, 'sku-create-1');
  assert.equal(s.sku, 'SKU sku-create-1');
  assert.equal(s.price, 2100);
  assert.equal(s.currency, 'USD');
  assert.deepEqual(s.attributes, { color: 'red' });

  const got = await client.products.getSku(s.id);
  assertSkuShape(got, 'got');
  assert.equal(got.id, s.id);
  assert.equal(got.product_id, p.id);
  assert.equal(got.source_id, 'sku-create-1');
  assert.equal(got.sku, 'SKU sku-create-1');
  assert.equal(got.price, 2100);
  assert.equal(got.currency, 'USD');
  assert.deepEqual(got.attributes, { color: 'red' });
  assert.equal(got.created_at, s.created_at);

  // The parent product now lists the sku.
  const parent = await client.products.get(p.id);
  assert.equal(parent.skus.object, 'list');
  assert.equal(parent.skus.total, 1);
});

test('products.updateSku({id, price}) changes the price (kit #8)', async () => {
  const p = await client.products.create(productBody('prod-sku-upd-1'));
  const s = await client.products.createSku(p.id, skuBody('sku-upd-1'));

  // SDK sends PUT /v1/products/{P}/skus/{S} with the id stripped from the body.
  const updated = await client.products.updateSku(p.id, { id: s.id, price: 2900 });
  assertSkuShape(updated, 'updated');
  assert.equal(updated.id, s.id);
  assert.equal(updated.product_id, p.id);
  assert.equal(updated.price, 2900);
  assert.equal(updated.currency, 'USD', 'fields not sent are kept');
  assert.equal(updated.sku, 'SKU sku-upd-1', 'fields not sent are kept');
  assertIsoTimestamp(updated.updated_at, 'updated.updated_at');

  const got = await client.products.getSku(s.id);
  assert.equal(got.price, 2900);
});

test('products.listSkus returns {object:list, data_ref:data, skus:[...], total} (kit #9)', async () => {
  const p = await client.products.create(productBody('prod-sku-list-1'));
  const a = await client.products.createSku(p.id, skuBody('sku-list-a'));
  const b = await client.products.createSku(p.id, skuBody('sku-list-b', { attributes: { color: 'blue' } }));
  // A sku of another product must not show up.
  const other = await client.products.create(productBody('prod-sku-list-2'));
  await client.products.createSku(other.id, skuBody('sku-list-other'));

  const res = await client.products.listSkus(p.id);
  assert.equal(res.object, 'list');
  assert.equal(res.data_ref, 'data');
  assert.ok(Array.isArray(res.skus), `the array is named skus, got keys ${Object.keys(res)}`);
  assert.equal(res.total, 2);
  assert.equal(res.skus.length, 2);
  for (const [i, s] of res.skus.entries()) {
    assertSkuShape(s, `skus[${i}]`);
    assert.equal(s.product_id, p.id);
  }
  assert.deepEqual(res.skus.map((s) => s.id).sort(), [a.id, b.id].sort());
});

test('products.update({source_id, price}) changes the price (kit #10)', async () => {
  const created = await client.products.create(productBody('prod-upd-1'));

  // SDK sends PUT /v1/products/prod-upd-1 with body {source_id, price}.
  const updated = await client.products.update({ source_id: 'prod-upd-1', price: 3500 });
  assertProductShape(updated, 'updated');
  assert.equal(updated.id, created.id);
  assert.equal(updated.source_id, 'prod-upd-1');
  assert.equal(updated.price, 3500);
  assert.equal(updated.name, 'Product prod-upd-1', 'fields not sent are kept');
  assert.deepEqual(updated.metadata, { origin: 'conformance', weight: 3 }, 'fields not sent are kept');
  assertIsoTimestamp(updated.updated_at, 'updated.updated_at');

  const fetched = await client.products.get(created.id);
  assert.equal(fetched.price, 3500);

  // By id: SDK sends PUT /v1/products/{id} with the id stripped from the body.
  const byId = await client.products.update({ id: created.id, name: 'Renamed by id' });
  assert.equal(byId.id, created.id);
  assert.equal(byId.name, 'Renamed by id');
  assert.equal(byId.price, 3500);
});

test('products.list({limit}) returns {data_ref:products, products:[...]} (kit #10)', async () => {
  await client.products.create(productBody('prod-list-1'));
  await client.products.create(productBody('prod-list-2'));

  const res = await client.products.list({ limit: 10 });
  assert.equal(res.object, 'list');
  assert.equal(res.data_ref, 'products');
  assert.ok(Array.isArray(res.products), `the array is named products, got keys ${Object.keys(res)}`);
  assert.ok(res.products.length >= 2 && res.products.length <= 10, `got ${res.products.length} products`);
  assert.equal(typeof res.total, 'number');
  assert.ok(res.total >= res.products.length);
  for (const [i, p] of res.products.entries()) assertProductShape(p, `products[${i}]`);
  const sources = res.products.map((p) => p.source_id);
  assert.ok(sources.includes('prod-list-1') && sources.includes('prod-list-2'), `listed: ${sources}`);

  const limited = await client.products.list({ limit: 1 });
  assert.equal(limited.products.length, 1);
  assert.equal(limited.total, res.total, 'total counts all products, not just the page');
});

test('products.deleteSku and products.delete with force, then gets reject 404 not_found (kit #45i)', async () => {
  const p = await client.products.create(productBody('prod-del-1'));
  const s = await client.products.createSku(p.id, skuBody('sku-del-1'));

  assertNoContent(await client.products.deleteSku(p.id, s.id, { force: true }), 'deleteSku');
  await assertVoucherifyError(client.products.getSku(s.id), 404, 'not_found');
  const skus = await client.products.listSkus(p.id);
  assert.equal(skus.total, 0, 'a deleted sku must not be listed');

  assertNoContent(await client.products.delete(p.id, { force: true }), 'delete');
  await assertVoucherifyError(client.products.get(p.id), 404, 'not_found');
  await assertVoucherifyError(client.products.get('prod-del-1'), 404, 'not_found');
  await assertVoucherifyError(client.products.delete(p.id, { force: true }), 404, 'not_found');
});

test('unknown products and skus reject with 404 not_found', async () => {
  await assertVoucherifyError(client.products.get('no-such-product'), 404, 'not_found');
  await assertVoucherifyError(client.products.get('prod_doesNotExist0000000000'), 404, 'not_found');
  await assertVoucherifyError(client.products.getSku('sku_doesNotExist0000000000'), 404, 'not_found');
  await assertVoucherifyError(client.products.listSkus('no-such-product'), 404, 'not_found');
});
