// Metadata schemas: the Management API (create / update / delete), the client-side reads through the real
// @voucherify/sdk 2.9.0 client, and their enforcement on customer, product and order metadata writes.
// Contract: shared/contract/readOnly-openAPI.json, operations list-metadata-schemas (GET /v1/metadata-schemas,
// data_ref "schemas") and get-metadata-schema (GET /v1/metadata-schemas/{resource}); the management operations
// under /management/v1/projects/{projectId}/metadata-schemas (ManagementProjectsMetadataSchema). Spec 16.5
// (ours): `me` names the key's own project, definition types are immutable, a refused write changes nothing
// (400 metadata_validation_failed naming the key as metadata.<key>), required (optional:false) keys are enforced
// when the resource is created only.
//
// SDK 2.9.0 methods used: metadataSchemas.{list,get}, customers.{create,update,get},
// products.{create,update,get}, orders.{create,get}. The SDK has no management client, so raw fetch sends those.
//
// Schemas are per project and the tests share one server: every test creates the schema it needs and deletes it
// in `finally`, so no rule leaks into another test.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { j, makeUniq, serverForThisFile } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const MS_ID = /^ms_[0-9a-zA-Z]+$/;
const MGMT = '/management/v1/projects/me/metadata-schemas';

const uniq = makeUniq();

let srv;
let client;
serverForThisFile((started) => {
  srv = started;
  client = started.client;
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

async function raw(method, urlPath, body) {
  const headers = { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${srv.url}${urlPath}`, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, text, json };
}

function assertRawError(reply, status, key, label) {
  assert.equal(reply.status, status, `${label}: status (body ${reply.text})`);
  assert.equal(reply.json?.code, status, `${label}: code in ${reply.text}`);
  assert.equal(reply.json?.key, key, `${label}: key in ${reply.text}`);
  assert.equal(typeof reply.json?.message, 'string', `${label}: message in ${reply.text}`);
}

// The brief's customer schema: one definition of every type.
const CUSTOMER_PROPERTIES = {
  age: { type: 'number', optional: true },
  home: { type: 'geopoint' },
  tags: { type: 'string', array: true },
  birthday_at: { type: 'date' },
  seen: { type: 'datetime' },
  vip: { type: 'boolean' },
  avatar: { type: 'image_url' },
};

async function createSchema(body) {
  const reply = await raw('POST', MGMT, body);
  assert.equal(reply.status, 200, `create schema ${j(body)}: ${reply.text}`);
  return reply.json;
}

async function deleteSchema(id) {
  const reply = await raw('DELETE', `${MGMT}/${id}`);
  assert.equal(reply.status, 204, `delete schema ${id}: ${reply.text}`);
}

// Creates a schema, runs `fn(schema)`, deletes the schema whatever happens.
async function withSchema(body, fn) {
  const schema = await createSchema(body);
  try {
    return await fn(schema);
  } finally {
    await deleteSchema(schema.id);
  }
}

// Asserts a 400 metadata_validation_failed whose details name metadata.<key>.
async function assertMetadataRefused(promise, key, label) {
  await assert.rejects(promise, (err) => {
    const ctx = `${label}: code ${err.code}, key ${err.key}, message ${err.message}, details ${j(err.details)}`;
    assert.equal(err.code, 400, ctx);
    assert.equal(err.key, 'metadata_validation_failed', ctx);
    assert.equal(typeof err.message, 'string', ctx);
    assert.ok(String(err.details ?? '').includes(`metadata.${key}`), `details must name metadata.${key}: ${ctx}`);
    return true;
  }, label);
}

function assertSchemaShape(s, label = 'schema') {
  const ctx = `${label}: ${j(s)}`;
  assert.equal(s.object, 'metadata_schema', ctx);
  assert.match(s.id ?? '', MS_ID, ctx);
  assert.equal(typeof s.related_object, 'string', ctx);
  assert.equal(typeof s.allow_defined_only, 'boolean', ctx);
  assert.ok(s.properties && typeof s.properties === 'object', ctx);
  for (const [k, d] of Object.entries(s.properties)) {
    assert.equal(typeof d.type, 'string', `${label}.properties.${k}.type in ${ctx}`);
    for (const f of ['array', 'optional', 'deleted']) {
      assert.equal(typeof d[f], 'boolean', `${label}.properties.${k}.${f} in ${ctx}`);
    }
    assert.ok('objectType' in d, `${label}.properties.${k}.objectType in ${ctx}`);
  }
  assertIsoTimestamp(s.created_at, `${label}.created_at`);
}

// ---------------------------------------------------------------------------------------------------------------
// management API

test('management POST /projects/me/metadata-schemas returns the schema (ms_ id, normalised definitions); duplicate 409, unknown type 400, unknown project 404', async () => {
  const body = { related_object: 'customer', allow_defined_only: false, properties: CUSTOMER_PROPERTIES };
  const s = await createSchema(body);
  try {
    assertSchemaShape(s);
    const ctx = j(s);
    assert.equal(s.related_object, 'customer', ctx);
    assert.equal(s.allow_defined_only, false, ctx);
    assert.deepEqual(Object.keys(s.properties).sort(), Object.keys(CUSTOMER_PROPERTIES).sort(), ctx);
    for (const [k, d] of Object.entries(CUSTOMER_PROPERTIES)) {
      assert.equal(s.properties[k].type, d.type, `properties.${k}.type in ${ctx}`);
      assert.equal(s.properties[k].deleted, false, `properties.${k}.deleted in ${ctx}`);
      assert.equal(s.properties[k].optional, true, `properties.${k}.optional defaults to true in ${ctx}`);
    }
    assert.equal(s.properties.tags.array, true, ctx);
    assert.equal(s.properties.age.array, false, ctx);
    assert.ok('updated_at' in s, ctx);

    const dup = await raw('POST', MGMT, { related_object: 'customer', properties: { x: { type: 'string' } } });
    assertRawError(dup, 409, 'duplicate_found', 'second customer schema');

    const badType = await raw('POST', MGMT, { related_object: 'order', properties: { x: { type: 'money' } } });
    assertRawError(badType, 400, 'invalid_payload', 'unknown definition type');
    await assertVoucherifyError(client.metadataSchemas.get('order'), 404, 'not_found');

    const otherProject = await raw('POST', '/management/v1/projects/proj_doesNotExist000/metadata-schemas',
      { related_object: 'product', properties: { x: { type: 'string' } } });
    assertRawError(otherProject, 404, 'not_found', 'unknown project');
    await assertVoucherifyError(client.metadataSchemas.get('product'), 404, 'not_found');
  } finally {
    await deleteSchema(s.id);
  }
});

test('metadataSchemas.list returns {object:list, data_ref:schemas, schemas, total}; get(resource) returns the schema; unknown resource 404', async () => {
  await withSchema({ related_object: 'customer', properties: CUSTOMER_PROPERTIES }, async (cs) => {
    await withSchema({ related_object: 'product', properties: { weight: { type: 'number' } } }, async (ps) => {
      const list = await client.metadataSchemas.list();
      const ctx = j(list);
      assert.equal(list.object, 'list', ctx);
      assert.equal(list.data_ref, 'schemas', ctx);
      assert.ok(Array.isArray(list.schemas), ctx);
      assert.equal(list.total, list.schemas.length, ctx);
      assert.equal(list.total, 2, ctx);
      for (const [i, s] of list.schemas.entries()) assertSchemaShape(s, `schemas[${i}]`);
      assert.deepEqual(list.schemas.map((s) => s.id).sort(), [cs.id, ps.id].sort(), ctx);

      const got = await client.metadataSchemas.get('customer');
      assertSchemaShape(got, 'get(customer)');
      assert.equal(got.id, cs.id, j(got));
      assert.equal(got.related_object, 'customer', j(got));
      assert.deepEqual(got.properties, cs.properties, j(got));
      assert.equal((await client.metadataSchemas.get('product')).id, ps.id);

      await assertVoucherifyError(client.metadataSchemas.get('no_such_resource'), 404, 'not_found');
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// enforcement

test('customers.create/update: a value of the wrong type rejects with 400 metadata_validation_failed naming metadata.<key>', async () => {
  await withSchema({ related_object: 'customer', properties: CUSTOMER_PROPERTIES }, async () => {
    const wrong = [
      ['age', '42'],
      ['home', '52.2,21.0'],
      ['home', 'geo:91,0'],
      ['home', 'geo:0,181'],
      ['tags', 'a'],
      ['tags', ['a', 2]],
      ['birthday_at', '01/02/2020'],
      ['birthday_at', '2020-01-02T10:00:00Z'],
      ['seen', 'yesterday'],
      ['vip', 'yes'],
      ['avatar', 'ftp://example.com/a.png'],
      ['avatar', 'https://example.com/a.gif'],
    ];
    for (const [key, value] of wrong) {
      const sourceId = uniq('ms-cust-wrong');
      await assertMetadataRefused(client.customers.create({ source_id: sourceId, metadata: { [key]: value } }),
        key, `create with ${key}=${j(value)}`);
      await assertVoucherifyError(client.customers.get(sourceId), 404, 'not_found');
    }

    const good = {
      age: 42,
      home: 'geo:52.2297,21.0122',
      tags: ['a', 'b'],
      birthday_at: '1990-05-17',
      seen: '2024-03-01T10:00:00Z',
      vip: true,
      avatar: 'https://example.com/me.jpeg',
    };
    const sourceId = uniq('ms-cust-good');
    const created = await client.customers.create({ source_id: sourceId, name: 'Typed', metadata: good });
    assert.deepEqual(created.metadata, good, j(created));

    for (const [key, value] of wrong) {
      await assertMetadataRefused(client.customers.update({ source_id: sourceId, metadata: { [key]: value } }),
        key, `update with ${key}=${j(value)}`);
    }
    const after = await client.customers.get(sourceId);
    assert.deepEqual(after.metadata, good, `refused updates change nothing: ${j(after)}`);
    assert.equal(after.name, 'Typed');

    // A refused update that also carries other fields changes none of them.
    await assertMetadataRefused(
      client.customers.update({ source_id: sourceId, name: 'Renamed', metadata: { age: 'old', vip: false } }),
      'age', 'update with name and a wrong age');
    const still = await client.customers.get(sourceId);
    assert.equal(still.name, 'Typed', j(still));
    assert.deepEqual(still.metadata, good, j(still));

    const updated = await client.customers.update({ source_id: sourceId, metadata: { age: 43, tags: [] } });
    assert.equal(updated.metadata.age, 43, j(updated));
    assert.deepEqual(updated.metadata.tags, [], j(updated));
  });
});

test('undefined metadata keys are accepted while allow_defined_only is false', async () => {
  await withSchema({ related_object: 'customer', allow_defined_only: false, properties: CUSTOMER_PROPERTIES }, async () => {
    const sourceId = uniq('ms-cust-undefined');
    const c = await client.customers.create({ source_id: sourceId, metadata: { age: 30, nickname: 'Bo', score: [1, 2] } });
    assert.deepEqual(c.metadata, { age: 30, nickname: 'Bo', score: [1, 2] }, j(c));
    const got = await client.customers.get(sourceId);
    assert.deepEqual(got.metadata, { age: 30, nickname: 'Bo', score: [1, 2] }, j(got));
  });
});

test('products.create/update: wrong types and (allow_defined_only) undefined keys reject with 400; the product is unchanged', async () => {
  const body = {
    related_object: 'product',
    allow_defined_only: true,
    properties: { weight: { type: 'number' }, color: { type: 'string' }, photo: { type: 'image_url' } },
  };
  await withSchema(body, async () => {
    const bad = uniq('ms-prod-bad');
    await assertMetadataRefused(client.products.create({ source_id: bad, name: 'Bad', metadata: { weight: 'heavy' } }),
      'weight', 'product create with a string weight');
    await assertMetadataRefused(client.products.create({ source_id: bad, name: 'Bad', metadata: { brand: 'Acme' } }),
      'brand', 'product create with an undefined key');
    await assertMetadataRefused(
      client.products.create({ source_id: bad, name: 'Bad', metadata: { photo: 'http://example.com/p.bmp' } }),
      'photo', 'product create with a .bmp image_url');
    await assertVoucherifyError(client.products.get(bad), 404, 'not_found');

    const sourceId = uniq('ms-prod-good');
    const metadata = { weight: 1.5, color: 'red', photo: 'http://example.com/p.png' };
    const p = await client.products.create({ source_id: sourceId, name: 'Good', price: 1000, metadata });
    assert.deepEqual(p.metadata, metadata, j(p));

    await assertMetadataRefused(client.products.update({ source_id: sourceId, metadata: { color: 7 } }),
      'color', 'product update with a number color');
    await assertMetadataRefused(client.products.update({ source_id: sourceId, price: 2000, metadata: { brand: 'Acme' } }),
      'brand', 'product update with an undefined key');
    const got = await client.products.get(sourceId);
    assert.deepEqual(got.metadata, metadata, `refused updates change nothing: ${j(got)}`);
    assert.equal(got.price, 1000, `refused updates change nothing: ${j(got)}`);

    const updated = await client.products.update({ source_id: sourceId, metadata: { color: 'blue' } });
    assert.equal(updated.metadata.color, 'blue', j(updated));
  });
});

test('orders.create: a value of the wrong type rejects with 400 metadata_validation_failed and creates no order', async () => {
  const body = { related_object: 'order', properties: { channel: { type: 'string' }, priority: { type: 'number' } } };
  await withSchema(body, async () => {
    const items = [{ source_id: 'ext-a', related_object: 'product', quantity: 1, price: 1000 }];
    const bad = uniq('ms-ord-bad');
    await assertMetadataRefused(client.orders.create({ source_id: bad, items, metadata: { priority: 'high' } }),
      'priority', 'order with a string priority');
    await assertMetadataRefused(client.orders.create({ source_id: bad, items, metadata: { channel: ['web'] } }),
      'channel', 'order with an array channel');
    await assertVoucherifyError(client.orders.get(bad), 404, 'not_found');

    const good = uniq('ms-ord-good');
    const o = await client.orders.create({ source_id: good, items, metadata: { channel: 'web', priority: 2, extra: 'ok' } });
    assert.equal(o.object, 'order', j(o));
    assert.deepEqual(o.metadata, { channel: 'web', priority: 2, extra: 'ok' }, j(o));
  });
});

test('a required (optional:false) key must be present when a customer is created, not when it is updated', async () => {
  const body = {
    related_object: 'customer',
    properties: { tier: { type: 'string', optional: false }, age: { type: 'number' } },
  };
  await withSchema(body, async (s) => {
    assert.equal(s.properties.tier.optional, false, j(s));
    const missing = uniq('ms-req-missing');
    await assertMetadataRefused(client.customers.create({ source_id: missing, name: 'No Tier', metadata: { age: 3 } }),
      'tier', 'create without the required key');
    await assertMetadataRefused(client.customers.create({ source_id: missing, name: 'No Metadata' }),
      'tier', 'create without any metadata');
    await assertVoucherifyError(client.customers.get(missing), 404, 'not_found');

    const sourceId = uniq('ms-req-ok');
    const c = await client.customers.create({ source_id: sourceId, name: 'Tiered', metadata: { tier: 'gold' } });
    assert.deepEqual(c.metadata, { tier: 'gold' }, j(c));

    const renamed = await client.customers.update({ source_id: sourceId, name: 'Renamed' });
    assert.equal(renamed.name, 'Renamed', j(renamed));
    const aged = await client.customers.update({ source_id: sourceId, metadata: { age: 40 } });
    assert.deepEqual(aged.metadata, { tier: 'gold', age: 40 }, j(aged));
    // customers.create of an existing source_id is an update (upsert) too.
    const upserted = await client.customers.create({ source_id: sourceId, name: 'Upserted', metadata: { age: 41 } });
    assert.equal(upserted.id, c.id, j(upserted));
    assert.deepEqual(upserted.metadata, { tier: 'gold', age: 41 }, j(upserted));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// update / delete

test('management PUT adds definitions and changes optional/allow_defined_only but not a type (400); DELETE 204 lifts the rules', async () => {
  const created = await createSchema({
    related_object: 'product',
    allow_defined_only: true,
    properties: { weight: { type: 'number' } },
  });
  let deleted = false;
  try {
    const sizeBlocked = uniq('ms-put-size');
    await assertMetadataRefused(client.products.create({ source_id: sizeBlocked, name: 'X', metadata: { size: 'M' } }),
      'size', 'size is not defined yet');

    const put = await raw('PUT', `${MGMT}/${created.id}`, {
      properties: { size: { type: 'string' }, weight: { type: 'number', optional: false } },
    });
    assert.equal(put.status, 200, put.text);
    assertSchemaShape(put.json, 'put');
    assert.equal(put.json.id, created.id, put.text);
    assert.equal(put.json.properties.size?.type, 'string', put.text);
    assert.equal(put.json.properties.weight.optional, false, put.text);
    assert.equal(put.json.allow_defined_only, true, `flags not sent are kept: ${put.text}`);
    assertIsoTimestamp(put.json.updated_at, 'put.updated_at');
    const got = await client.metadataSchemas.get('product');
    assert.deepEqual(got.properties, put.json.properties, j(got));

    const sized = await client.products.create({ source_id: uniq('ms-put-sized'), name: 'Sized', metadata: { size: 'M', weight: 2 } });
    assert.deepEqual(sized.metadata, { size: 'M', weight: 2 }, j(sized));
    await assertMetadataRefused(client.products.create({ source_id: uniq('ms-put-noweight'), name: 'No weight', metadata: { size: 'L' } }),
      'weight', 'weight is now required');
    await assertMetadataRefused(client.products.create({ source_id: uniq('ms-put-color'), name: 'C', metadata: { weight: 1, color: 'red' } }),
      'color', 'allow_defined_only still true');

    const open = await raw('PUT', `${MGMT}/${created.id}`, { allow_defined_only: false });
    assert.equal(open.status, 200, open.text);
    assert.equal(open.json.allow_defined_only, false, open.text);
    assert.equal(open.json.properties.size?.type, 'string', `definitions not sent are kept: ${open.text}`);
    const colored = await client.products.create({ source_id: uniq('ms-put-colored'), name: 'C', metadata: { weight: 1, color: 'red' } });
    assert.equal(colored.metadata.color, 'red', j(colored));

    const retype = await raw('PUT', `${MGMT}/${created.id}`, { properties: { weight: { type: 'string' } } });
    assertRawError(retype, 400, 'invalid_payload', 'changing a type');
    assert.equal((await client.metadataSchemas.get('product')).properties.weight.type, 'number', 'the type is kept');

    const del = await raw('DELETE', `${MGMT}/${created.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal(del.text, '', 'DELETE answers no content');
    deleted = true;
    await assertVoucherifyError(client.metadataSchemas.get('product'), 404, 'not_found');
    assert.equal((await raw('GET', `${MGMT}/${created.id}`)).status, 404);
    assertRawError(await raw('DELETE', `${MGMT}/${created.id}`), 404, 'not_found', 'second delete');

    const free = await client.products.create({ source_id: uniq('ms-put-free'), name: 'Free', metadata: { weight: 'heavy', brand: 'Acme' } });
    assert.deepEqual(free.metadata, { weight: 'heavy', brand: 'Acme' }, `the old rules no longer apply: ${j(free)}`);
  } finally {
    if (!deleted) await raw('DELETE', `${MGMT}/${created.id}`);
  }
});
