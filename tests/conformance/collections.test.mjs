// Product collections through the real @voucherify/sdk 2.9.0 client.
// Contract: shared/contract/readOnly-openAPI.json, operations create-product-collection
// (ProductCollectionsCreateStaticRequestBody / ...DynamicRequestBody), list-product-collections,
// get-product-collection, delete-product-collection and list-products-in-collection
// (ProductCollectionsProductsListResponseBody: ProductWithoutSkus | SkuWithProduct).
// Spec 16.3: STATIC (a listed product brings all its SKUs) or AUTO_UPDATE (filter over the catalog; SKUs are
// evaluated on their own attributes). Collections are referenced by validation rules as
// {id: "pc_...", object: "products_collection"} under order.items.* (src/rules/rule_set.cpp, tests/scenarios).
//
// SDK 2.9.0 methods used: productCollections.{create,list,get,delete,listProducts}, products.{create,createSku,
// update}, validationRules.{create,createAssignment}, vouchers.create, validations.validateStackable. Raw fetch
// is used only to read the HTTP status of DELETE /v1/product-collections/{id}.
//
// Not covered: the 100-collections-per-project limit (slow), the predefined "All Products" collection.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { eventually, j, makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const PC_ID = /^pc_[0-9a-zA-Z]+$/;
const PROD_ID = /^prod_[0-9a-zA-Z]+$/;
const SKU_ID = /^sku_[0-9a-zA-Z]+$/;

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


const cond = (op, ...values) => ({ conditions: { [op]: values } });

function assertCollectionShape(c, expected, label = 'collection') {
  const ctx = `${label}: ${j(c)}`;
  assert.equal(c.object, 'products_collection', ctx);
  assert.match(c.id ?? '', PC_ID, ctx);
  assert.equal(c.name, expected.name, ctx);
  assert.equal(c.type, expected.type, ctx);
  if (expected.filter !== undefined) assert.deepEqual(c.filter, expected.filter, ctx);
  if (expected.products !== undefined) {
    assert.ok(Array.isArray(c.products), `${label}.products must be an array in ${ctx}`);
    assert.equal(c.products.length, expected.products.length, ctx);
    for (const p of expected.products) {
      const found = c.products.find((x) => x.id === p.id);
      assert.ok(found, `${label}.products has no ${p.id}: ${ctx}`);
      assert.equal(found.object, p.object, ctx);
      if (p.product_id) assert.equal(found.product_id, p.product_id, ctx);
    }
  }
  assertIsoTimestamp(c.created_at, `${label}.created_at`);
}

// GET /v1/product-collections/{id}/products, checked against ProductCollectionsProductsListResponseBody.
async function listProducts(collectionId, params) {
  const res = await client.productCollections.listProducts(collectionId, params);
  const ctx = `listProducts(${collectionId}): ${j(res)}`;
  assert.equal(res.object, 'list', ctx);
  assert.equal(res.data_ref, 'data', ctx);
  assert.ok(Array.isArray(res.data), ctx);
  assert.equal(typeof res.total, 'number', ctx);
  for (const x of res.data) {
    assert.ok(x.object === 'product' || x.object === 'sku', `object must be product or sku in ${ctx}`);
    if (x.object === 'product') {
      assert.match(x.id ?? '', PROD_ID, ctx);
    } else {
      assert.match(x.id ?? '', SKU_ID, ctx);
      assert.match(x.product_id ?? '', PROD_ID, `sku.product_id in ${ctx}`);
    }
  }
  return res;
}

async function listedIds(collectionId) {
  const res = await listProducts(collectionId, { limit: 100 });
  return res.data.map((x) => x.id).sort();
}

async function assertListed(collectionId, expectedIds, label = '') {
  await eventually(async () => {
    assert.deepEqual(await listedIds(collectionId), [...expectedIds].sort(), `${label} listProducts(${collectionId})`);
  });
}

async function autoCollection(filterFields, junction = 'and') {
  const name = uniq('Auto collection');
  const filter = { junction, ...filterFields };
  const c = await client.productCollections.create({ name, type: 'AUTO_UPDATE', filter });
  assertCollectionShape(c, { name, type: 'AUTO_UPDATE', filter });
  return c;
}

function product(extra = {}) {
  const sourceId = uniq('pc-prod');
  return client.products.create({ source_id: sourceId, name: `Product ${sourceId}`, price: 1000, ...extra });
}

// ---------------------------------------------------------------------------------------------------------------
// CRUD

test('productCollections.create STATIC with a product and a sku returns a pc_ collection echoing products', async () => {
  const p = await product();
  const q = await product();
  const s = await client.products.createSku(q.id, { source_id: uniq('pc-sku'), sku: 'Q-1', price: 1100 });
  const name = uniq('Static collection');
  const products = [{ id: p.id, object: 'product' }, { id: s.id, product_id: q.id, object: 'sku' }];
  const c = await client.productCollections.create({ name, type: 'STATIC', products });
  assertCollectionShape(c, { name, type: 'STATIC', products });
});

test('productCollections.create AUTO_UPDATE echoes the filter', async () => {
  const name = uniq('Acme collection');
  const filter = { junction: 'and', 'metadata.brand': { conditions: { $is: ['acme'] } } };
  const c = await client.productCollections.create({ name, type: 'AUTO_UPDATE', filter });
  assertCollectionShape(c, { name, type: 'AUTO_UPDATE', filter });
});

test('productCollections.list returns {object:list, data_ref:data, data:[...], total}', async () => {
  const a = await autoCollection({ 'metadata.brand': cond('$is', uniq('brand')) });
  const p = await product();
  const b = await client.productCollections.create({
    name: uniq('Listed static'), type: 'STATIC', products: [{ id: p.id, object: 'product' }],
  });

  const res = await client.productCollections.list({ limit: 100 });
  const ctx = j(res);
  assert.equal(res.object, 'list', ctx);
  assert.equal(res.data_ref, 'data', ctx);
  assert.ok(Array.isArray(res.data), ctx);
  assert.equal(typeof res.total, 'number', ctx);
  assert.ok(res.total >= res.data.length, ctx);
  for (const x of res.data) {
    assert.equal(x.object, 'products_collection', ctx);
    assert.match(x.id ?? '', PC_ID, ctx);
  }
  const la = res.data.find((x) => x.id === a.id);
  const lb = res.data.find((x) => x.id === b.id);
  assert.ok(la && lb, `both collections must be listed: ${ctx}`);
  assertCollectionShape(la, { name: a.name, type: 'AUTO_UPDATE', filter: a.filter }, 'listed auto');
  assertCollectionShape(lb, { name: b.name, type: 'STATIC', products: [{ id: p.id, object: 'product' }] }, 'listed static');
});

test('productCollections.get returns the collection; delete answers 204, then get is 404 not_found', async () => {
  const created = await autoCollection({ 'metadata.brand': cond('$is', uniq('brand')) });
  const got = await client.productCollections.get(created.id);
  assertCollectionShape(got, { name: created.name, type: 'AUTO_UPDATE', filter: created.filter }, 'got');
  assert.equal(got.id, created.id);
  assert.equal(got.created_at, created.created_at);

  const del = await raw('DELETE', `/v1/product-collections/${encodeURIComponent(created.id)}`);
  assert.equal(del.status, 204, `HTTP ${del.status}: ${del.text}`);
  assert.equal(del.text, '', 'a 204 has no body');
  await assertVoucherifyError(client.productCollections.get(created.id), 404, 'not_found');
  await assertVoucherifyError(client.productCollections.delete(created.id), 404, 'not_found');
  const listed = await client.productCollections.list({ limit: 100 });
  assert.ok(!listed.data.some((x) => x.id === created.id), 'a deleted collection is not listed');

  // The SDK's delete works too.
  const other = await autoCollection({ 'metadata.brand': cond('$is', uniq('brand')) });
  const res = await client.productCollections.delete(other.id);
  assert.ok(res === undefined || res === '' || res === null, `delete must return no content, got ${j(res)}`);
  await assertVoucherifyError(client.productCollections.get(other.id), 404, 'not_found');
});

test('productCollections.get / listProducts of an unknown id reject with 404 not_found', async () => {
  await assertVoucherifyError(client.productCollections.get('pc_doesNotExist0000000000'), 404, 'not_found');
  await assertVoucherifyError(client.productCollections.listProducts('pc_doesNotExist0000000000'), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------------------------
// listProducts

test('listProducts of a STATIC collection: the product with all its SKUs, plus the listed sku only', async () => {
  const p = await product({ name: 'Static parent' });
  const p1 = await client.products.createSku(p.id, { source_id: uniq('pc-sku-p1'), sku: 'P-1', price: 1200 });
  const p2 = await client.products.createSku(p.id, { source_id: uniq('pc-sku-p2'), sku: 'P-2', price: 1300 });
  const q = await product({ name: 'Other parent' });
  const q1 = await client.products.createSku(q.id, { source_id: uniq('pc-sku-q1'), sku: 'Q-1', price: 1400 });
  await client.products.createSku(q.id, { source_id: uniq('pc-sku-q2'), sku: 'Q-2', price: 1500 });
  const outsider = await product();

  const c = await client.productCollections.create({
    name: uniq('Static listing'),
    type: 'STATIC',
    products: [{ id: p.id, object: 'product' }, { id: q1.id, product_id: q.id, object: 'sku' }],
  });

  const res = await listProducts(c.id, { limit: 100 });
  const ctx = j(res);
  const ids = res.data.map((x) => x.id).sort();
  assert.deepEqual(ids, [p.id, p1.id, p2.id, q1.id].sort(), ctx);
  assert.equal(res.total, 4, ctx);
  assert.ok(!ids.includes(q.id), 'listing a sku does not bring its product in');
  assert.ok(!ids.includes(outsider.id));

  const lp = res.data.find((x) => x.id === p.id);
  assert.equal(lp.object, 'product', ctx);
  assert.equal(lp.source_id, p.source_id, ctx);
  assert.equal(lp.name, 'Static parent', ctx);
  assert.equal(lp.price, 1000, ctx);
  const ls = res.data.find((x) => x.id === q1.id);
  assert.equal(ls.object, 'sku', ctx);
  assert.equal(ls.product_id, q.id, ctx);
  assert.equal(ls.sku, 'Q-1', ctx);
  assert.equal(ls.price, 1400, ctx);
  for (const sid of [p1.id, p2.id]) {
    const x = res.data.find((y) => y.id === sid);
    assert.equal(x.object, 'sku', ctx);
    assert.equal(x.product_id, p.id, ctx);
  }
});

test('listProducts of an AUTO_UPDATE collection on metadata $is lists the matching products', async () => {
  const brand = uniq('acme');
  const a = await product({ metadata: { brand } });
  const b = await product({ metadata: { brand } });
  await product({ metadata: { brand: 'other' } });
  await product();
  const c = await autoCollection({ 'metadata.brand': cond('$is', brand) });
  await assertListed(c.id, [a.id, b.id]);
  const res = await listProducts(c.id);
  assert.equal(res.total, 2, j(res));
  for (const x of res.data) {
    assert.equal(x.object, 'product', j(res));
    assert.deepEqual(x.metadata, { brand }, j(res));
  }
});

test('AUTO_UPDATE filter on price with $more_than', async () => {
  const tag = uniq('price-tag');
  const cheap = await product({ price: 4000, metadata: { tag } });
  const edge = await product({ price: 5000, metadata: { tag } });
  const dear = await product({ price: 5001, metadata: { tag } });
  const dearer = await product({ price: 90000, metadata: { tag } });
  const c = await autoCollection({ 'metadata.tag': cond('$is', tag), price: cond('$more_than', 5000) });
  await assertListed(c.id, [dear.id, dearer.id]);
  const ids = await listedIds(c.id);
  assert.ok(!ids.includes(cheap.id) && !ids.includes(edge.id), '$more_than is strict');
});

test('AUTO_UPDATE filter on name with $starts_with', async () => {
  const prefix = `Gadget${uniq.run}`;
  const a = await product({ name: `${prefix} one` });
  const b = await product({ name: `${prefix}-two` });
  await product({ name: `Not ${prefix}` });
  const c = await autoCollection({ name: cond('$starts_with', prefix) });
  await assertListed(c.id, [a.id, b.id]);
});

test('AUTO_UPDATE filter on source_id with $in', async () => {
  const a = await product();
  const b = await product();
  await product();
  const c = await autoCollection({ source_id: cond('$in', a.source_id, b.source_id, uniq('not-a-product')) });
  await assertListed(c.id, [a.id, b.id]);
});

test('AUTO_UPDATE membership follows products.update of metadata', async () => {
  const brand = uniq('acme');
  const c = await autoCollection({ 'metadata.brand': cond('$is', brand) });
  const p = await product({ metadata: { brand: 'other' } });
  await assertListed(c.id, [], 'before the update');

  await client.products.update({ source_id: p.source_id, metadata: { brand } });
  await assertListed(c.id, [p.id], 'after setting the brand');

  await client.products.update({ source_id: p.source_id, metadata: { brand: 'other' } });
  await assertListed(c.id, [], 'after changing the brand back');
});

test('a product created after the AUTO_UPDATE collection joins it', async () => {
  const brand = uniq('acme');
  const c = await autoCollection({ 'metadata.brand': cond('$is', brand) });
  await assertListed(c.id, []);
  const p = await product({ metadata: { brand } });
  await assertListed(c.id, [p.id]);
});

// ---------------------------------------------------------------------------------------------------------------
// collections in validation rules

async function voucherWithCollectionRule(collectionId) {
  const rule = await client.validationRules.create({
    name: uniq('Collection rule'),
    type: 'basic',
    rules: {
      1: { name: 'order.items.any', conditions: { $in: [{ id: collectionId, object: 'products_collection' }] }, rules: {} },
      logic: '1',
    },
  });
  assert.match(rule.id ?? '', /^val_[0-9a-zA-Z]+$/, j(rule));
  const code = uniq('PCV').toUpperCase();
  const v = await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 300 } });
  await client.validationRules.createAssignment(rule.id, { related_object_type: 'voucher', related_object_id: v.id });
  return code;
}

function validateCart(code, productIds) {
  const items = productIds.map((id) => ({ product_id: id, quantity: 1, price: 1000 }));
  return client.validations.validateStackable({
    customer: { source_id: uniq('pc-cust') },
    order: { amount: 1000 * items.length, items },
    redeemables: [{ object: 'voucher', id: code }],
  });
}

test('order.items.any $in [STATIC collection]: the voucher validates only when the cart holds a member', async () => {
  const member = await product();
  const stranger = await product();
  const c = await client.productCollections.create({
    name: uniq('Rule static'), type: 'STATIC', products: [{ id: member.id, object: 'product' }],
  });
  const code = await voucherWithCollectionRule(c.id);

  const ok = await validateCart(code, [stranger.id, member.id]);
  assert.equal(ok.valid, true, j(ok));
  assert.equal(ok.redeemables?.[0]?.status, 'APPLICABLE', j(ok));
  assert.equal(ok.order?.total_discount_amount, 300, j(ok));

  const no = await validateCart(code, [stranger.id]);
  assert.equal(no.valid, false, j(no));
  assert.equal(no.redeemables?.[0]?.status, 'INAPPLICABLE', j(no));
  assert.equal(no.redeemables[0].result?.error?.key, 'order_rules_violated', j(no));
});

test('order.items.any $in [AUTO_UPDATE collection] follows the product data', async () => {
  const brand = uniq('acme');
  const c = await autoCollection({ 'metadata.brand': cond('$is', brand) });
  const p = await product({ metadata: { brand: 'other' } });
  const code = await voucherWithCollectionRule(c.id);

  const outside = await validateCart(code, [p.id]);
  assert.equal(outside.valid, false, `not yet in the collection: ${j(outside)}`);
  assert.equal(outside.redeemables?.[0]?.result?.error?.key, 'order_rules_violated', j(outside));

  await client.products.update({ source_id: p.source_id, metadata: { brand } });
  await assertListed(c.id, [p.id]);
  await eventually(async () => {
    const res = await validateCart(code, [p.id]);
    assert.equal(res.valid, true, `in the collection after the update: ${j(res)}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// errors

test('productCollections.create with an invalid type rejects with 400 invalid_payload', async () => {
  await assertVoucherifyError(client.productCollections.create({ name: uniq('Bad type'), type: 'DYNAMIC', filter: {} }),
    400, 'invalid_payload');
});

test('a STATIC collection naming an unknown product is rejected (404 not_found or 400)', async () => {
  await assert.rejects(
    client.productCollections.create({
      name: uniq('Unknown product'), type: 'STATIC', products: [{ id: 'prod_doesNotExist000000', object: 'product' }],
    }),
    (err) => {
      const ok = (err.code === 404 && err.key === 'not_found') || err.code === 400;
      assert.ok(ok, `expected 404 not_found or 400, got ${err.code} ${err.key}: ${err.message} ${err.details}`);
      return true;
    },
  );
});
