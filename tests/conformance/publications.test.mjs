// Code publication through the real @voucherify/sdk 2.9.0 client. Conformance kit
// (shared/spec/conformance-kit.md): steps 35 (distributions.publications.create from a campaign,
// the voucher's holder_id afterwards) and 36 (distributions.publications.list by customer).
// Contract: create-publication, list-publications.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, serverForThisFile } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const uniq = makeUniq();
let client;
serverForThisFile((s) => {
  client = s.client;
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A STATIC campaign of `count` codes, once they are generated.
async function staticCampaign(count) {
  const name = uniq('pub-campaign');
  const created = await client.campaigns.create({
    name,
    type: 'STATIC',
    vouchers_count: count,
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } },
  });
  for (let i = 0; i < 200; i++) {
    const c = await client.campaigns.get(created.id);
    if (c.vouchers_count >= count && c.vouchers_generation_status === 'DONE') break;
    await sleep(25);
  }
  return name;
}

test('distributions.publications.create from a campaign: a code for the customer, who holds it (kit #35)', async () => {
  const name = await staticCampaign(2);
  const sourceId = uniq('cust');
  const p = await client.distributions.publications.create({
    campaign: { name, count: 1 },
    customer: { source_id: sourceId },
    metadata: { origin: 'kit-35' },
  });
  assert.equal(p.object, 'publication');
  assert.match(p.id, /^pub_[0-9a-zA-Z]+$/);
  assert.equal(p.result, 'SUCCESS');
  assertIsoTimestamp(p.created_at);
  assert.deepEqual(p.metadata, { origin: 'kit-35' });
  assert.equal(p.customer.source_id, sourceId);
  assert.ok(typeof p.voucher.code === 'string' && p.voucher.code.length > 0);
  assert.deepEqual(p.vouchers_id, [p.voucher.id]);
  const v = await client.vouchers.get(p.voucher.code);
  assert.equal(v.holder_id, p.customer_id);
  assert.equal(v.publish.count, 1);

  // With join_once the same customer gets the same code again.
  const again = await client.distributions.publications.create({
    campaign: { name, count: 1 },
    customer: { source_id: sourceId },
    join_once: true,
  });
  assert.equal(again.voucher.code, p.voucher.code);

  // A specific code that is taken cannot be published again.
  await assertVoucherifyError(
    client.distributions.publications.create({ voucher: p.voucher.code, customer: { source_id: uniq('other') } }),
    400,
    'voucher_already_published',
  );
});

test('distributions.publications.list by customer (kit #36)', async () => {
  const name = await staticCampaign(3);
  const sourceId = uniq('cust');
  for (let i = 0; i < 2; i++) {
    await client.distributions.publications.create({ campaign: { name, count: 1 }, customer: { source_id: sourceId } });
  }
  const list = await client.distributions.publications.list({ customer: sourceId, limit: 5 });
  assert.equal(list.object, 'list');
  assert.equal(list.data_ref, 'publications');
  assert.equal(list.total, 2);
  assert.equal(list.publications.length, 2);
  for (const p of list.publications) {
    assert.equal(p.object, 'publication');
    assert.equal(p.customer.source_id, sourceId);
    assert.ok(p.voucher.code);
  }
});

test('customers.listRedeemables: the wallet, cursor paged and filtered as the SDK sends it', async () => {
  const name = await staticCampaign(3);
  const sourceId = uniq('wallet');
  const codes = [];
  for (let i = 0; i < 2; i++) {
    const p = await client.distributions.publications.create({
      campaign: { name, count: 1 },
      customer: { source_id: sourceId },
    });
    codes.push(p.voucher.code);
  }
  const all = await client.customers.listRedeemables(sourceId);
  assert.equal(all.object, 'list');
  assert.equal(all.data_ref, 'data');
  assert.equal(all.total, 2);
  assert.deepEqual(all.data.map((e) => e.redeemable.voucher.code), [codes[1], codes[0]]);
  for (const e of all.data) {
    assert.match(e.id, /^rh_/);
    assert.equal(e.holder_role, 'OWNER');
    assert.equal(e.redeemable.status, 'ACTIVE');
    assertIsoTimestamp(e.created_at);
  }
  const first = await client.customers.listRedeemables(sourceId, { limit: 1, order: 'id' });
  assert.equal(first.has_more, true);
  assert.equal(first.data[0].redeemable.voucher.code, codes[0]);
  const rest = await client.customers.listRedeemables(sourceId, {
    limit: 1,
    order: 'id',
    starting_after_id: first.more_starting_after,
  });
  assert.equal(rest.data[0].redeemable.voucher.code, codes[1]);
  const owners = await client.customers.listRedeemables(sourceId, {
    filters: { holder_role: { conditions: { $in: ['REFERRER'] } } },
  });
  assert.equal(owners.total, 0);
});
