// Issue 18: what the official SDKs send to features we have, and we used to answer wrongly. Each
// test is the SDK call (2.9.x from npm) or, where 2.9.x has no method, the raw request the 3.x
// SDK sends as the OpenAPI file describes it.
// Contract: add-vouchers-to-campaign, update-products-in-bulk, update-products-metadata-in-bulk,
// create-campaign, list-vouchers, add-promotion-tier-to-campaign, create-validation-rules,
// import-vouchers-using-csv, validate-stacked-discounts, create-customer, update-campaign.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { finishedAction, makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';

const uniq = makeUniq();
let client;
let srv;
serverForThisFile((s) => {
  srv = s;
  client = s.client;
});

const doneAction = (id) => finishedAction(client, id);

async function discountCampaign(name) {
  return client.campaigns.create({
    name,
    campaign_type: 'DISCOUNT_COUPONS',
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
  });
}

test('1. campaigns.addVoucher(name, 5): a bare number body is the count of codes to add', async () => {
  const name = uniq('wire-add-count');
  await discountCampaign(name);
  const added = await client.campaigns.addVoucher(name, 5);
  assert.match(added.async_action_id, /^aa_/, JSON.stringify(added));
  const action = await doneAction(added.async_action_id);
  assert.equal(action.status, 'DONE', JSON.stringify(action));
  const list = await client.vouchers.list({ campaign: name, limit: 100 });
  assert.equal(list.vouchers.length, 5);
  // A number that is no count is still refused with Voucherify's error JSON.
  const bad = await rawRequest(srv, 'POST', `/v1/campaigns/${name}/vouchers`, 2.5);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.key, 'invalid_payload');
});

test('2. products.bulkUpdate([]) and an empty body answer an async action with nothing to do', async () => {
  const empty = await client.products.bulkUpdate([]);
  assert.match(empty.async_action_id, /^aa_/);
  const done = await doneAction(empty.async_action_id);
  assert.equal(done.status, 'DONE', JSON.stringify(done));
  assert.equal(done.type, 'PRODUCTS.BULK_UPDATE');
  const res = await fetch(`${srv.url}/v1/products/bulk/async`, {
    method: 'POST',
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 202);
  const body = await res.json();
  assert.equal((await doneAction(body.async_action_id)).status, 'DONE');
});

test('3. products/metadata/async with product_ids (3.x SDK examples) updates those products', async () => {
  const a = await client.products.create({ source_id: uniq('wire-meta-a'), name: 'A', metadata: { keep: 1 } });
  const b = await client.products.create({ source_id: uniq('wire-meta-b'), name: 'B' });
  const queued = await rawRequest(srv, 'POST', '/v1/products/metadata/async', {
    product_ids: [a.id, b.id],
    metadata: { season: 'winter' },
  });
  assert.equal(queued.status, 202, queued.text);
  const done = await doneAction(queued.json.async_action_id);
  assert.equal(done.status, 'DONE', JSON.stringify(done));
  assert.deepEqual((await client.products.get(a.id)).metadata, { keep: 1, season: 'winter' });
  assert.deepEqual((await client.products.get(b.id)).metadata, { season: 'winter' });
  // An id that names no product fails that item, naming it; nothing is created.
  const missing = await rawRequest(srv, 'POST', '/v1/products/metadata/async', {
    product_ids: ['prod_missing0000'],
    metadata: { season: 'winter' },
  });
  const failed = await doneAction(missing.json.async_action_id);
  assert.equal(failed.result.failed[0].id, 'prod_missing0000', JSON.stringify(failed));
});

test('4. campaigns.create without campaign_type takes the type from voucher.type', async () => {
  const gift = await client.campaigns.create({
    name: uniq('wire-gift'),
    voucher: { type: 'GIFT_VOUCHER', gift: { amount: 5000 } },
  });
  assert.equal(gift.campaign_type, 'GIFT_VOUCHERS');
  const loyalty = await client.campaigns.create({
    name: uniq('wire-loyalty'),
    voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 100 } },
  });
  assert.equal(loyalty.campaign_type, 'LOYALTY_PROGRAM');
  const coupons = await client.campaigns.create({
    name: uniq('wire-coupons'),
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
  });
  assert.equal(coupons.campaign_type, 'DISCOUNT_COUPONS');
});

test('5. vouchers.list with filters[campaign_ids][conditions][$in] lists those campaigns\' codes', async () => {
  const name = uniq('wire-filter');
  const campaign = await discountCampaign(name);
  await client.campaigns.addCertainVoucher(name, uniq('WIRE-F').toUpperCase());
  await discountCampaign(uniq('wire-filter-other')).then((c) =>
    client.campaigns.addCertainVoucher(c.name, uniq('WIRE-O').toUpperCase()));
  const list = await client.vouchers.list({
    filters: { campaign_ids: { conditions: { $in: [campaign.id] } } },
    limit: 100,
  });
  assert.equal(list.vouchers.length, 1, JSON.stringify(list));
  assert.equal(list.vouchers[0].campaign_id, campaign.id);
});

test('7. validationRules.create with an older rule name (customer_segment) is the dotted rule', async () => {
  const segment = await client.segments.create({
    name: uniq('wire-seg'),
    type: 'static',
    customers: [],
  });
  const rule = await client.validationRules.create({
    name: uniq('wire-legacy-rule'),
    rules: { 1: { name: 'customer_segment', conditions: { $is: [segment.id] } }, logic: '1' },
  });
  assert.match(rule.id, /^val_/);
  assert.equal(rule.rules['1'].name, 'customer_segment', 'stored and shown as sent');
  const code = uniq('WIRE-SEG').toUpperCase();
  await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  await client.validationRules.createAssignment(rule.id, { voucher: code });
  const res = await client.validations.validateStackable({
    redeemables: [{ object: 'voucher', id: code }],
    customer: { source_id: uniq('wire-not-in-seg') },
    order: { amount: 1000 },
  });
  assert.equal(res.valid, false, 'a customer outside the segment is refused, as with customer.segment');
  await assert.rejects(client.validationRules.create({
    name: uniq('wire-unknown-rule'),
    rules: { 1: { name: 'customer_segmnt', conditions: { $is: [segment.id] } }, logic: '1' },
  }), (err) => err.code === 400);
});

test('8. vouchers.importCSV with the SDK\'s own example file: TRUE, empty cells, Value in API units', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openpromo-wire-csv-'));
  try {
    const code = uniq('WIRE-CSV').toUpperCase();
    const bad = uniq('WIRE-CSV-BAD').toUpperCase();
    const file = path.join(dir, 'vouchers.csv');
    fs.writeFileSync(file,
      'Code,Voucher Type,Active,Start Date,Expiration Date,Discount Type,Value,Category,Redemption Limit,Additional Info,Region\n' +
      `${code},DISCOUNT_VOUCHER,TRUE,,,AMOUNT,15,New,,Planned release in Fall 2022,Europe\n` +
      `${bad},DISCOUNT_VOUCHER,maybe,,,AMOUNT,15,New,,,Europe\n`);
    const queued = await client.vouchers.importCSV(file);
    const done = await doneAction(queued.async_action_id);
    assert.equal(done.status, 'DONE', JSON.stringify(done));
    const v = await client.vouchers.get(code);
    assert.equal(v.active, true);
    assert.equal(v.start_date, null);
    assert.equal(v.expiration_date, null);
    assert.equal(v.redemption.quantity, null);
    assert.equal(v.discount.amount_off, 15, 'Value is in the API\'s units (minor units for AMOUNT)');
    assert.equal(v.additional_info, 'Planned release in Fall 2022');
    assert.equal(v.metadata.region ?? v.metadata.Region, 'Europe');
    const failure = done.result.failed ?? done.result.details?.failed;
    assert.ok(Array.isArray(failure), JSON.stringify(done.result));
    assert.equal(failure.length, 1, JSON.stringify(done.result));
    assert.equal(failure[0].code, bad, 'the failure entry names the row\'s code');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('9. null vs absent: empty redeemable lists, metadata never given and unset campaign dates are left out', async () => {
  const code = uniq('WIRE-ABS').toUpperCase();
  await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  const res = await client.validations.validateStackable({
    redeemables: [{ object: 'voucher', id: code }],
    order: { amount: 1000 },
  });
  assert.equal(res.valid, true);
  assert.equal('inapplicable_redeemables' in res, false);
  assert.equal('skipped_redeemables' in res, false);

  const customer = await client.customers.create({ source_id: uniq('wire-abs-c') });
  assert.equal('metadata' in customer, false, JSON.stringify(customer));
  const withMetadata = await client.customers.create({ source_id: uniq('wire-abs-m'), metadata: { a: 1 } });
  assert.deepEqual(withMetadata.metadata, { a: 1 });

  const name = uniq('wire-abs-camp');
  await discountCampaign(name);
  const updated = await client.campaigns.update(name, { description: 'no dates' });
  assert.equal('expiration_date' in updated, false, JSON.stringify(updated));
  assert.equal('start_date' in updated, false);
  assert.equal('category' in updated, false, 'no category: left out, category_id null (contract example)');
  assert.equal(updated.category_id, null);
  const dated = await client.campaigns.update(name, { expiration_date: '2031-01-01T00:00:00Z' });
  assert.equal(dated.expiration_date, '2031-01-01T00:00:00.000Z');
});

test('vouchers.bulkUpdate and vouchers.bulkUpdateMetadata merge metadata into existing codes only', async () => {
  const a = uniq('WIRE-BULK-A').toUpperCase();
  const b = uniq('WIRE-BULK-B').toUpperCase();
  for (const code of [a, b]) {
    await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, metadata: { keep: code } });
  }
  const bulk = await client.vouchers.bulkUpdate([
    { code: a, metadata: { lang: 'en' } },
    { code: 'WIRE-NO-SUCH-CODE', metadata: { lang: 'en' } },
  ]);
  const done = await doneAction(bulk.async_action_id);
  assert.equal(done.type, 'VOUCHERS.BULK_UPDATE');
  assert.equal(done.status, 'DONE', JSON.stringify(done));
  assert.deepEqual((await client.vouchers.get(a)).metadata, { keep: a, lang: 'en' });
  assert.equal(done.result.failed.length, 1, JSON.stringify(done.result));
  assert.equal(done.result.failed[0].code, 'WIRE-NO-SUCH-CODE', 'no upserts: an unknown code fails its item');

  const meta = await client.vouchers.bulkUpdateMetadata({ codes: [a, b], metadata: { authorized_internally: true } });
  const doneMeta = await doneAction(meta.async_action_id);
  assert.equal(doneMeta.type, 'VOUCHERS.METADATA_UPDATE');
  assert.equal(doneMeta.result.failed.length, 0, JSON.stringify(doneMeta.result));
  assert.deepEqual((await client.vouchers.get(b)).metadata, { keep: b, authorized_internally: true });
  assert.deepEqual((await client.vouchers.get(a)).metadata, { keep: a, lang: 'en', authorized_internally: true });
  const bad = await rawRequest(srv, 'POST', '/v1/vouchers/metadata/async', { metadata: { x: 1 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.key, 'invalid_payload');
});

test('validationRules.listRulesAssignments lists the project\'s assignments, narrowed by rule and object', async () => {
  const rule = await client.validationRules.create({
    name: uniq('wire-list-assign'),
    rules: { 1: { name: 'order.amount', conditions: { $more_than: [100] } }, logic: '1' },
  });
  const codes = [uniq('WIRE-LA-1').toUpperCase(), uniq('WIRE-LA-2').toUpperCase()];
  const assigned = [];
  for (const code of codes) {
    const v = await client.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    assigned.push(await client.validationRules.createAssignment(rule.id, { voucher: v.id }));
  }
  const byRule = await client.validationRules.listRulesAssignments({ rule: rule.id, limit: 100 });
  assert.equal(byRule.object, 'list');
  assert.deepEqual(byRule.data.map((a) => a.id).sort(), assigned.map((a) => a.id).sort());
  const byObject = await client.validationRules.listRulesAssignments({ related_object_id: assigned[0].related_object_id });
  assert.deepEqual(byObject.data.map((a) => a.id), [assigned[0].id]);
  const all = await client.validationRules.listRulesAssignments({ limit: 100 });
  assert.ok(all.total >= 2);
});
