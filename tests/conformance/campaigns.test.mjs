// Campaigns (and their code-generation async actions) through the real @voucherify/sdk 2.9.0 client.
// Conformance kit (shared/spec/conformance-kit.md): steps 15-20, 24, 45h and the campaign delete of 45i.
// Contract: shared/contract/readOnly-openAPI.json, operations create-/get-/update-/delete-campaign,
// add-vouchers-to-campaign, add-voucher-with-specific-code-to-campaign, enable-/disable-campaign,
// list-vouchers and get-async-action.
//
// Validation rules are not implemented by the server yet, so kit step 15's `validation_rules:[R1]` is omitted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './harness.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const CREATION_STATUSES = ['DONE', 'IN_PROGRESS', 'FAILED', 'DRAFT', 'MODIFYING'];
const ASYNC_STATUSES = ['ENQUEUED', 'IN_PROGRESS', 'DONE', 'FAILED'];
const SUM_CODE = /^SUM-[0-9a-zA-Z]{4}$/;
const ASYNC_TIMEOUT_MS = 30_000;

let srv;
let client;
let category; // the category every campaign of this file is put in (kit step 15: category_id)

before(async () => {
  srv = await startServer();
  client = srv.client;
  category = await client.categories.create({ name: 'Campaign tests', hierarchy: 1 });
});

after(async () => {
  await srv?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let counter = 0;
const uniqueName = (base) => `${base} ${++counter}`;

// Kit step 15's request body (without validation_rules).
function couponCampaignBody(name, type = 'AUTO_UPDATE', overrides = {}) {
  return {
    name,
    type,
    vouchers_count: 5,
    category_id: category.id,
    voucher: {
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'PERCENT', percent_off: 10 },
      code_config: { pattern: 'SUM-####' },
      redemption: { quantity: 1 },
    },
    ...overrides,
  };
}

// Polls asyncActions.get(id) until the action leaves ENQUEUED/IN_PROGRESS; returns the final action.
async function waitForAsyncAction(id) {
  const deadline = Date.now() + ASYNC_TIMEOUT_MS;
  let action;
  for (;;) {
    action = await client.asyncActions.get(id);
    assert.equal(action.object, 'async_action');
    assert.equal(action.id, id);
    assert.ok(ASYNC_STATUSES.includes(action.status), `unexpected async action status ${action.status}`);
    if (action.status === 'DONE' || action.status === 'FAILED') return action;
    if (Date.now() > deadline) {
      assert.fail(`async action ${id} still ${action.status} after ${ASYNC_TIMEOUT_MS} ms: ${JSON.stringify(action)}`);
    }
    await sleep(50);
  }
}

// Creates a kit-15 campaign and waits for its code generation to finish. Returns {created, action, campaign}.
async function createGeneratedCampaign(name, type = 'AUTO_UPDATE') {
  const created = await client.campaigns.create(couponCampaignBody(name, type));
  assert.match(created.async_action_id ?? '', /^aa_/,
    `a campaign with vouchers_count > 1 must report async_action_id (got ${JSON.stringify(created)})`);
  const action = await waitForAsyncAction(created.async_action_id);
  assert.equal(action.status, 'DONE', `generation failed: ${JSON.stringify(action)}`);
  const campaign = await client.campaigns.get(created.id);
  return { created, action, campaign };
}

async function listCampaignVouchers(campaignId) {
  return client.vouchers.list({ campaign_id: campaignId, limit: 100, page: 1 });
}

function assertCampaignShape(c, { name, type, creationStatuses = CREATION_STATUSES }) {
  assert.match(c.id, /^camp_[0-9a-zA-Z]+$/);
  assert.equal(c.name, name);
  assert.equal(c.campaign_type, 'DISCOUNT_COUPONS');
  assert.equal(c.type, type);
  assert.ok(Number.isInteger(c.vouchers_count), `vouchers_count must be an integer, got ${c.vouchers_count}`);
  assert.ok(c.vouchers_count >= 0 && c.vouchers_count <= 5, `vouchers_count ${c.vouchers_count} out of range`);
  assert.equal(c.active, true);
  assert.equal(c.object, 'campaign');
  assert.ok(creationStatuses.includes(c.creation_status), `creation_status ${c.creation_status}`);
  assert.ok(CREATION_STATUSES.includes(c.vouchers_generation_status),
    `vouchers_generation_status ${c.vouchers_generation_status}`);
  assert.equal(c.category_id, category.id);
  assertIsoTimestamp(c.created_at, 'created_at');

  assert.equal(typeof c.voucher, 'object');
  assert.ok(c.voucher !== null, 'voucher must be an object');
  assert.equal(c.voucher.type, 'DISCOUNT_VOUCHER');
  assert.equal(c.voucher.discount?.type, 'PERCENT');
  assert.equal(c.voucher.discount?.percent_off, 10);
  assert.equal(c.voucher.code_config?.pattern, 'SUM-####');
  assert.equal(c.voucher.redemption?.quantity, 1);
}

test('campaigns.create AUTO_UPDATE: campaign shape (kit #15) and the generation async action (kit #45h)', async () => {
  const name = uniqueName('Summer AUTO_UPDATE');
  const created = await client.campaigns.create(couponCampaignBody(name, 'AUTO_UPDATE'));

  assertCampaignShape(created, { name, type: 'AUTO_UPDATE' });
  // More than one voucher: generation is asynchronous and the create response says so.
  assert.equal(created.creation_status, 'IN_PROGRESS');
  assert.match(created.async_action_id ?? '', /^aa_[0-9a-zA-Z]+$/, `async_action_id in ${JSON.stringify(created)}`);

  const action = await waitForAsyncAction(created.async_action_id);
  assert.equal(action.object, 'async_action');
  assert.equal(action.type, 'CAMPAIGN.VOUCHERS_GENERATE');
  assert.equal(action.status, 'DONE');
  assert.equal(action.progress, 100);
  assert.ok(action.result !== null && typeof action.result === 'object', 'async_action.result must be an object');
  assertIsoTimestamp(action.created_at, 'async_action.created_at');

  const campaign = await client.campaigns.get(created.id);
  assertCampaignShape(campaign, { name, type: 'AUTO_UPDATE', creationStatuses: ['DONE'] });
  assert.equal(campaign.vouchers_count, 5);
  assert.equal(campaign.creation_status, 'DONE');
  assert.equal(campaign.vouchers_generation_status, 'DONE');

  const list = await listCampaignVouchers(created.id);
  assert.equal(list.total, 5);
  assert.equal(list.vouchers.length, 5);
  for (const v of list.vouchers) {
    assert.match(v.code, SUM_CODE);
    assert.equal(v.campaign_id, created.id);
  }
  assert.equal(new Set(list.vouchers.map((v) => v.code)).size, 5, 'generated codes must be distinct');
});

test('campaigns.create STATIC: same shape, type STATIC, 5 codes generated (kit #15, #45h)', async () => {
  const name = uniqueName('Summer STATIC');
  const created = await client.campaigns.create(couponCampaignBody(name, 'STATIC'));

  assertCampaignShape(created, { name, type: 'STATIC' });
  assert.equal(created.creation_status, 'IN_PROGRESS');
  assert.match(created.async_action_id ?? '', /^aa_[0-9a-zA-Z]+$/, `async_action_id in ${JSON.stringify(created)}`);

  const action = await waitForAsyncAction(created.async_action_id);
  assert.equal(action.type, 'CAMPAIGN.VOUCHERS_GENERATE');
  assert.equal(action.status, 'DONE');
  assert.equal(action.progress, 100);

  const campaign = await client.campaigns.get(created.id);
  assertCampaignShape(campaign, { name, type: 'STATIC', creationStatuses: ['DONE'] });
  assert.equal(campaign.vouchers_count, 5);
  assert.equal(campaign.vouchers_generation_status, 'DONE');

  const list = await listCampaignVouchers(created.id);
  assert.equal(list.total, 5);
  for (const v of list.vouchers) assert.match(v.code, SUM_CODE);
});

test('campaigns.get by id and by name return the same campaign (kit #16)', async () => {
  const name = uniqueName('Get me');
  const { campaign } = await createGeneratedCampaign(name);

  const byId = await client.campaigns.get(campaign.id);
  const byName = await client.campaigns.get(name);
  assert.equal(byId.id, campaign.id);
  assert.equal(byName.id, campaign.id);
  assert.equal(byName.name, name);
  assert.deepEqual(byName, byId);
});

test('campaigns.update changes the description (kit #17)', async () => {
  const name = uniqueName('Update me');
  const { campaign } = await createGeneratedCampaign(name);

  const updated = await client.campaigns.update(campaign.id, { description: 'Ten percent off everything' });
  assert.equal(updated.id, campaign.id);
  assert.equal(updated.object, 'campaign');
  assert.equal(updated.name, name);
  assert.equal(updated.description, 'Ten percent off everything');
  assertIsoTimestamp(updated.updated_at, 'updated_at');
  // Nothing else changed.
  assert.equal(updated.campaign_type, 'DISCOUNT_COUPONS');
  assert.equal(updated.vouchers_count, 5);
  assert.equal(updated.voucher.discount.percent_off, 10);

  const got = await client.campaigns.get(campaign.id);
  assert.equal(got.description, 'Ten percent off everything');
});

test('campaigns.addVoucher adds one pattern-conformant voucher to the campaign (kit #18)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('Add one'));

  const v = await client.campaigns.addVoucher(campaign.id);
  assert.equal(v.object, 'voucher');
  assert.match(v.code, SUM_CODE);
  assert.equal(v.campaign_id, campaign.id);
  assert.equal(v.campaign, campaign.name);
  assert.equal(v.type, 'DISCOUNT_VOUCHER');
  assert.equal(v.discount?.type, 'PERCENT');
  assert.equal(v.discount?.percent_off, 10);
  assert.equal(v.redemption?.quantity, 1);

  const got = await client.vouchers.get(v.code);
  assert.equal(got.campaign_id, campaign.id);
});

test('campaigns.addCertainVoucher adds MY-CODE to the campaign (kit #19)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('Add certain'));

  const v = await client.campaigns.addCertainVoucher(campaign.id, 'MY-CODE');
  assert.equal(v.object, 'voucher');
  assert.equal(v.code, 'MY-CODE');
  assert.equal(v.campaign_id, campaign.id);
  assert.equal(v.type, 'DISCOUNT_VOUCHER');
  assert.equal(v.discount?.percent_off, 10);

  const got = await client.vouchers.get('MY-CODE');
  assert.equal(got.campaign_id, campaign.id);

  // Codes are unique across the project.
  await assertVoucherifyError(client.campaigns.addCertainVoucher(campaign.id, 'MY-CODE'), 409, 'duplicate_found');
});

test('vouchers.list({campaign_id}) lists all 7 vouchers: 5 generated + addVoucher + addCertainVoucher (kit #20)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('List me'));
  const added = await client.campaigns.addVoucher(campaign.id);
  const certain = await client.campaigns.addCertainVoucher(campaign.id, 'MY-LIST-CODE');

  // A voucher outside the campaign must not show up.
  await client.vouchers.create({ code: 'NOT-IN-CAMPAIGN', type: 'DISCOUNT_VOUCHER',
    discount: { type: 'AMOUNT', amount_off: 100 } });

  const list = await client.vouchers.list({ campaign_id: campaign.id, limit: 10, page: 1 });
  assert.equal(list.object, 'list');
  assert.equal(list.data_ref, 'vouchers');
  assert.ok(Array.isArray(list.vouchers), 'vouchers must be an array');
  assert.equal(list.total, 7);
  assert.equal(list.vouchers.length, 7);
  for (const v of list.vouchers) {
    assert.equal(v.object, 'voucher');
    assert.equal(v.campaign_id, campaign.id);
  }
  const codes = list.vouchers.map((v) => v.code);
  assert.equal(new Set(codes).size, 7, 'codes must be distinct');
  assert.ok(codes.includes(added.code), `list must include the addVoucher code ${added.code}`);
  assert.ok(codes.includes(certain.code), 'list must include MY-LIST-CODE');
  assert.ok(!codes.includes('NOT-IN-CAMPAIGN'));
  assert.equal(codes.filter((c) => SUM_CODE.test(c)).length, 6);

  // The campaign's own counter agrees.
  const got = await client.campaigns.get(campaign.id);
  assert.equal(got.vouchers_count, 7);
});

test('campaigns.disable / enable toggle active (kit #24)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('Toggle'));

  await client.campaigns.disable(campaign.id);
  assert.equal((await client.campaigns.get(campaign.id)).active, false);

  await client.campaigns.enable(campaign.id);
  assert.equal((await client.campaigns.get(campaign.id)).active, true);
});

test('campaigns.disable / enable answer an empty JSON object {} (contract enable-/disable-campaign)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('Toggle body'));

  const disabled = await client.campaigns.disable(campaign.id);
  const enabled = await client.campaigns.enable(campaign.id);
  // Both first, so a wrong body does not leave the campaign disabled.
  assert.deepEqual(disabled, {}, 'disable-campaign returns an empty JSON object');
  assert.deepEqual(enabled, {}, 'enable-campaign returns an empty JSON object');
});

test('DELETE /v1/campaigns/{id}?force=true answers 202 {async_action_id} (raw HTTP; kit #45i)', async () => {
  const { campaign } = await createGeneratedCampaign(uniqueName('Raw delete'));
  const res = await fetch(`${srv.url}/v1/campaigns/${encodeURIComponent(campaign.id)}?force=true`, {
    method: 'DELETE',
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken },
  });
  assert.equal(res.status, 202);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['async_action_id']);
  assert.match(body.async_action_id, /^aa_[0-9a-zA-Z]+$/);
  const action = await waitForAsyncAction(body.async_action_id);
  assert.equal(action.status, 'DONE');
});

test('campaigns.delete(id, {force:true}): campaign and its vouchers are gone, the name can be reused (kit #45i)', async () => {
  const name = uniqueName('Force delete');
  const { campaign } = await createGeneratedCampaign(name);
  const { vouchers } = await listCampaignVouchers(campaign.id);
  assert.equal(vouchers.length, 5);

  const res = await client.campaigns.delete(campaign.id, { force: true });
  assert.match(res?.async_action_id ?? '', /^aa_/, `delete response ${JSON.stringify(res)}`);
  const action = await waitForAsyncAction(res.async_action_id);
  assert.equal(action.status, 'DONE');
  assert.equal(action.type, 'CAMPAIGN.VOUCHERS_DELETE');

  await assertVoucherifyError(client.campaigns.get(campaign.id), 404, 'not_found');
  await assertVoucherifyError(client.campaigns.get(name), 404, 'not_found');
  await assertVoucherifyError(client.vouchers.get(vouchers[0].code), 404, 'not_found');

  // Permanently deleted: the same name is free again.
  const again = await client.campaigns.create(couponCampaignBody(name));
  assert.match(again.id, /^camp_/);
  assert.notEqual(again.id, campaign.id);
  assert.equal(again.name, name);
  if (again.async_action_id) await waitForAsyncAction(again.async_action_id);
});

test('campaigns.delete(id) without force moves it to the bin: 404 afterwards, but the name stays taken (kit #45i)', async () => {
  const name = uniqueName('Bin delete');
  const { campaign } = await createGeneratedCampaign(name);

  const res = await client.campaigns.delete(campaign.id);
  assert.match(res?.async_action_id ?? '', /^aa_/, `delete response ${JSON.stringify(res)}`);
  const action = await waitForAsyncAction(res.async_action_id);
  assert.equal(action.status, 'DONE');

  await assertVoucherifyError(client.campaigns.get(campaign.id), 404, 'not_found');

  // In the bin the name is still reserved.
  await assertVoucherifyError(client.campaigns.create(couponCampaignBody(name)), 409, 'duplicate_found');
});

test('campaigns.create rejects an unknown campaign_type with 400', async () => {
  await assertVoucherifyError(
    client.campaigns.create({ ...couponCampaignBody(uniqueName('Bad type')), campaign_type: 'NOT_A_TYPE' }),
    400, null);
});

test('campaigns.create rejects a coupon campaign without a discount: 400 invalid_campaign', async () => {
  const body = couponCampaignBody(uniqueName('No discount'));
  delete body.voucher.discount;
  await assertVoucherifyError(client.campaigns.create(body), 400, 'invalid_campaign');
});

test('campaigns.create rejects a GIFT_VOUCHERS campaign with gift.amount 0: 400 invalid_balance', async () => {
  await assertVoucherifyError(
    client.campaigns.create({
      name: uniqueName('Zero gift'),
      campaign_type: 'GIFT_VOUCHERS',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 }, code_config: { pattern: 'GIFT-####' } },
    }),
    400, 'invalid_balance');
});

test('campaigns.create rejects a pattern too small for vouchers_count: 400 invalid_code_config', async () => {
  const body = couponCampaignBody(uniqueName('Tiny pattern'), 'AUTO_UPDATE', { vouchers_count: 100 });
  body.voucher.code_config = { pattern: 'A-#' };
  await assertVoucherifyError(client.campaigns.create(body), 400, 'invalid_code_config');
});

test('campaigns.create rejects a duplicate campaign name: 409 duplicate_found', async () => {
  const name = uniqueName('Twice');
  await createGeneratedCampaign(name);
  await assertVoucherifyError(client.campaigns.create(couponCampaignBody(name)), 409, 'duplicate_found');
});
