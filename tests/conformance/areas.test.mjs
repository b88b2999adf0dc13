// Areas and stores (spec 14): areas and stores over /v1/areas, campaigns assigned with
// `access_settings`, restricted keys made by the real CLI (`openpromo keys create --role
// restricted --area/--store/--all-stores-of`) and used through the real @voucherify/sdk client.
// Runs on both backends (one CTest entry per backend).
//
// Spec 14.2's visibility rule: view and use need an overlap at the same level; edit and delete
// need every campaign assignment covered by the key's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';
import { assertVoucherifyError } from './assertions.mjs';

const uniq = makeUniq();
let srv;
let admin;
serverForThisFile((s) => {
  srv = s;
  admin = s.client;
});

const asAdmin = (method, path, body) => rawRequest(srv, method, path, body);
// A request with a restricted key's credentials: {status, json, text}.
async function asKey(key, method, path, body) {
  return rawRequest({ ...srv, appId: key.app_id, appToken: key.app_token }, method, path, body);
}
const clientOf = (key) => srv.makeClient({ applicationId: key.app_id, secretKey: key.app_token });

const ids = {};  // area and store ids by name
async function area(name) {
  const r = await asAdmin('POST', '/v1/areas', { name: uniq(name) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.object, 'area');
  assert.match(r.json.id, /^ar_/);
  ids[name] = r.json.id;
  return r.json.id;
}
async function store(areaName, name) {
  const r = await asAdmin('POST', `/v1/areas/${ids[areaName]}/stores`, { name: uniq(name) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.object, 'area_store');
  assert.equal(r.json.area_id, ids[areaName]);
  assert.match(r.json.id, /^ars_/);
  ids[name] = r.json.id;
  return r.json.id;
}

// A key assigned to `spec`: {areas: [...], stores: [...], all: [...]} of names.
function restrictedKey(spec) {
  const args = ['--role', 'restricted'];
  for (const a of spec.areas ?? []) args.push('--area', ids[a]);
  for (const s of spec.stores ?? []) args.push('--store', ids[s]);
  for (const a of spec.all ?? []) args.push('--all-stores-of', ids[a]);
  const key = srv.createKey(...args);
  assert.equal(key.role, 'restricted');
  return key;
}
const access = (spec) => ({
  assign: {
    areas_ids: (spec.areas ?? []).map((a) => ids[a]),
    area_stores_ids: (spec.stores ?? []).map((s) => ids[s]),
    area_all_stores_ids: (spec.all ?? []).map((a) => ids[a]),
  },
});
async function campaignFor(spec, extra = {}) {
  const body = {
    name: uniq('area-campaign'),
    campaign_type: 'DISCOUNT_COUPONS',
    vouchers_count: 1,
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
    ...extra,
  };
  if (spec) body.access_settings = access(spec);
  const r = await asAdmin('POST', '/v1/campaigns', body);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// The areas and stores every test uses, made once (on the first test's call).
let made;
const setup = () => (made ??= (async () => {
  await area('France');
  await area('Germany');
  await area('Poland');
  await store('France', 'Lyon');
  await store('France', 'Paris');
  await store('Germany', 'Hamburg');
  await store('Germany', 'Munich');
  await store('Poland', 'Warsaw');
  await store('Poland', 'Krakow');
  await store('Poland', 'Gdansk');
})());

// Spec 14.2's examples and the cases around them: key assignments, campaign assignments, and
// whether the key may view/use and edit the campaign.
const visibility = [
  { name: 'a France-area key cannot see a Lyon-store campaign', key: { areas: ['France'] }, campaign: { stores: ['Lyon'] }, sees: false },
  { name: '"All stores in Germany" fully owns a Hamburg + Munich campaign', key: { all: ['Germany'] }, campaign: { stores: ['Hamburg', 'Munich'] }, sees: true, owns: true },
  { name: '"All stores in Germany" cannot see a Germany-area campaign', key: { all: ['Germany'] }, campaign: { areas: ['Germany'] }, sees: false },
  { name: 'three Polish stores view and use but do not edit an "All stores in Poland" campaign', key: { stores: ['Warsaw', 'Krakow', 'Gdansk'] }, campaign: { all: ['Poland'] }, sees: true, owns: false },
  { name: 'a France-area key owns a France-area campaign', key: { areas: ['France'] }, campaign: { areas: ['France'] }, sees: true, owns: true },
  { name: 'a Lyon-store key cannot see a France-area campaign (area access is not store access)', key: { stores: ['Lyon'] }, campaign: { areas: ['France'] }, sees: false },
  { name: 'a Hamburg key sees but does not own a Hamburg + Munich campaign', key: { stores: ['Hamburg'] }, campaign: { stores: ['Hamburg', 'Munich'] }, sees: true, owns: false },
  { name: 'a France-area key sees but does not own a France-area + Lyon campaign', key: { areas: ['France'] }, campaign: { areas: ['France'], stores: ['Lyon'] }, sees: true, owns: false },
  { name: 'no restricted key sees a campaign without assignments', key: { areas: ['France', 'Germany', 'Poland'], all: ['France', 'Germany', 'Poland'] }, campaign: null, sees: false },
  { name: '"All stores in Poland" owns an "All stores in Poland" campaign', key: { all: ['Poland'] }, campaign: { all: ['Poland'] }, sees: true, owns: true },
  { name: 'a German key sees nothing of Poland', key: { areas: ['Germany'], all: ['Germany'] }, campaign: { all: ['Poland'], stores: ['Warsaw'] }, sees: false },
];

for (const row of visibility) {
  test(`visibility: ${row.name}`, async () => {
  await setup();
    const campaign = await campaignFor(row.campaign);
    const key = restrictedKey(row.key);
    const got = await asKey(key, 'GET', `/v1/campaigns/${campaign.id}`);
    const listed = await asKey(key, 'GET', '/v1/campaigns?limit=100');
    assert.equal(listed.status, 200, listed.text);
    const inList = listed.json.campaigns.find((c) => c.id === campaign.id);
    const codes = await asKey(key, 'GET', `/v1/vouchers?campaign_id=${campaign.id}`);
    assert.equal(codes.status, 200, codes.text);
    const adminCodes = await asAdmin('GET', `/v1/vouchers?campaign_id=${campaign.id}`);
    const code = adminCodes.json.vouchers[0].code;
    const validation = await asKey(key, 'POST', '/v1/validations', {
      redeemables: [{ object: 'voucher', id: code }], order: { amount: 1000 },
    });
    const edit = await asKey(key, 'PUT', `/v1/campaigns/${campaign.id}`, { description: 'edited by the key' });
    if (!row.sees) {
      assert.equal(got.status, 403, got.text);
      assert.equal(got.json.key, 'forbidden');
      assert.equal(got.json.details, `Resource campaign with id ${campaign.id} is not accessible in given context`);
      assert.equal(typeof got.json.request_id, 'string');
      assert.equal(inList, undefined, 'an invisible campaign is not listed');
      assert.equal(codes.json.vouchers.length, 0, 'nor are its codes');
      assert.equal(validation.status, 403, validation.text);
      assert.equal(validation.json.key, 'forbidden');
      assert.equal(edit.status, 403, edit.text);
    } else {
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.readonly, !row.owns);
      assert.ok(inList, 'a visible campaign is listed');
      assert.equal(inList.readonly, !row.owns);
      assert.equal(codes.json.vouchers.length, 1);
      assert.equal(validation.status, 200, validation.text);
      assert.equal(validation.json.valid, true, validation.text);
      if (row.owns) {
        assert.equal(edit.status, 200, edit.text);
        assert.equal(edit.json.description, 'edited by the key');
      } else {
        assert.equal(edit.status, 403, edit.text);
        assert.equal(edit.json.key, 'forbidden');
        const del = await asKey(key, 'DELETE', `/v1/campaigns/${campaign.id}`);
        assert.equal(del.status, 403, del.text);
        // Its codes are the campaign's content: viewed and used, not changed.
        const codeEdit = await asKey(key, 'PUT', `/v1/vouchers/${code}`, { metadata: { by: 'key' } });
        assert.equal(codeEdit.status, 403, codeEdit.text);
        const disable = await asKey(key, 'POST', `/v1/vouchers/${code}/disable`, {});
        assert.equal(disable.status, 403, disable.text);
        const more = await asKey(key, 'POST', `/v1/campaigns/${campaign.id}/vouchers`, {});
        assert.equal(more.status, 403, more.text);
      }
    }
    // Whatever the key may do, what the admin sees is unchanged unless the key owned it.
    const after = await asAdmin('GET', `/v1/campaigns/${campaign.id}`);
    assert.equal(after.status, 200);
    assert.equal(after.json.description === 'edited by the key', Boolean(row.sees && row.owns));
    assert.equal(after.json.readonly, undefined, 'readonly is only for restricted keys');
  });
}

test('a store point-of-sale key validates, redeems and qualifies its store\'s campaigns and is refused the others', async () => {
  await setup();
  const pos = restrictedKey({ stores: ['Lyon'] });
  const posClient = clientOf(pos);
  const mine = await campaignFor({ stores: ['Lyon'] });
  const theirs = await campaignFor({ stores: ['Hamburg'] });
  const codeOf = async (c) => (await asAdmin('GET', `/v1/vouchers?campaign_id=${c.id}`)).json.vouchers[0].code;
  const myCode = await codeOf(mine);
  const theirCode = await codeOf(theirs);
  const promo = await asAdmin('POST', '/v1/campaigns', {
    name: uniq('lyon-promo'), campaign_type: 'PROMOTION', access_settings: access({ stores: ['Lyon'] }),
    promotion: { tiers: [{ name: uniq('lyon-tier'), action: { discount: { type: 'AMOUNT', amount_off: 50 } } }] },
  });
  assert.equal(promo.status, 200, promo.text);
  const otherPromo = await asAdmin('POST', '/v1/campaigns', {
    name: uniq('hamburg-promo'), campaign_type: 'PROMOTION', access_settings: access({ stores: ['Hamburg'] }),
    promotion: { tiers: [{ name: uniq('hamburg-tier'), action: { discount: { type: 'AMOUNT', amount_off: 70 } } }] },
  });
  assert.equal(otherPromo.status, 200, otherPromo.text);
  const myTier = promo.json.promotion.tiers[0].id;
  const theirTier = otherPromo.json.promotion.tiers[0].id;

  // Validate and redeem through the SDK.
  const v = await posClient.validations.validateStackable({
    redeemables: [{ object: 'voucher', id: myCode }, { object: 'promotion_tier', id: myTier }],
    order: { amount: 10000 },
  });
  assert.equal(v.valid, true);
  assert.equal(v.order.total_discount_amount, 150);
  await assertVoucherifyError(posClient.validations.validateStackable({
    redeemables: [{ object: 'voucher', id: theirCode }], order: { amount: 10000 },
  }), 403, 'forbidden');
  await assertVoucherifyError(posClient.validations.validateStackable({
    redeemables: [{ object: 'promotion_tier', id: theirTier }], order: { amount: 10000 },
  }), 403, 'forbidden');
  const customer = uniq('lyon-shopper');
  const redeemed = await posClient.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: myCode }, { object: 'promotion_tier', id: myTier }],
    order: { amount: 10000 }, customer: { source_id: customer },
  });
  assert.equal(redeemed.redemptions.length, 2);
  await assertVoucherifyError(posClient.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: theirCode }], order: { amount: 10000 },
  }), 403, 'forbidden');
  // Nothing of the refused redemption was written.
  const theirVoucher = await admin.vouchers.get(theirCode);
  assert.equal(theirVoucher.redemption.redeemed_quantity, 0);

  // Qualification offers this store's promotions only.
  const q = await asKey(pos, 'POST', '/v1/qualifications', {
    scenario: 'ALL', order: { amount: 10000 }, options: { limit: 50 },
  });
  assert.equal(q.status, 200, q.text);
  const offered = q.json.redeemables.data.map((r) => r.id);
  assert.ok(offered.includes(myTier), `${myTier} in ${offered}`);
  assert.ok(!offered.includes(theirTier), `${theirTier} not in ${offered}`);
  assert.ok(!offered.includes(theirs.id));

  // Another store's redemption: not listed, not read, not rolled back.
  const adminRedemption = await admin.redemptions.redeemStackable({
    redeemables: [{ object: 'voucher', id: theirCode }], order: { amount: 10000 },
  });
  const theirRedemption = adminRedemption.redemptions[0].id;
  const read = await asKey(pos, 'GET', `/v1/redemptions/${theirRedemption}`);
  assert.equal(read.status, 403, read.text);
  const rollback = await asKey(pos, 'POST', `/v1/redemptions/${theirRedemption}/rollback`, {});
  assert.equal(rollback.status, 403, rollback.text);
  assert.equal((await admin.redemptions.get(theirRedemption)).status, 'SUCCEEDED');
  const posList = await asKey(pos, 'GET', '/v1/redemptions?limit=100');
  assert.equal(posList.status, 200, posList.text);
  const posIds = posList.json.redemptions.map((r) => r.id);
  assert.ok(!posIds.includes(theirRedemption));
  assert.ok(posIds.includes(redeemed.parent_redemption.id), 'its own stacked redemption, parent included');
  for (const r of redeemed.redemptions) assert.ok(posIds.includes(r.id));
  // Its own redemption it may read and roll back.
  const mineRead = await asKey(pos, 'GET', `/v1/redemptions/${redeemed.redemptions[0].id}`);
  assert.equal(mineRead.status, 200, mineRead.text);

  // Publication: of its store's campaign yes, of another's 403.
  const published = await asKey(pos, 'POST', '/v1/publications', {
    campaign: { name: (await admin.campaigns.get(mine.id)).name }, customer: { source_id: customer },
  });
  assert.ok(published.status === 200 || published.json?.key === 'no_voucher_suitable_for_publication', published.text);
  const refused = await asKey(pos, 'POST', '/v1/publications', {
    campaign: { name: (await admin.campaigns.get(theirs.id)).name }, customer: { source_id: customer },
  });
  assert.equal(refused.status, 403, refused.text);

  // Per-store reports: the admin cuts redemptions and the summary by store and area.
  const lyon = await asAdmin('GET', `/v1/redemptions?area_store_id=${ids.Lyon}&limit=100`);
  assert.equal(lyon.status, 200, lyon.text);
  const lyonIds = lyon.json.redemptions.map((r) => r.id);
  assert.ok(lyonIds.includes(redeemed.redemptions[0].id));
  assert.ok(!lyonIds.includes(theirRedemption), 'the admin key speaks for no store');
  const france = await asAdmin('GET', `/v1/redemptions?area_id=${ids.France}&limit=100`);
  assert.deepEqual(france.json.redemptions.map((r) => r.id).sort(), lyonIds.sort());
  const germany = await asAdmin('GET', `/v1/redemptions?area_id=${ids.Germany}&limit=100`);
  assert.equal(germany.json.redemptions.length, 0);
  const summary = await asAdmin('GET', `/v1/campaigns/${mine.id}/summary?area_store_id=${ids.Lyon}`);
  assert.equal(summary.status, 200, summary.text);
  assert.equal(summary.json.redemptions_succeeded, 1);
  assert.equal(summary.json.discounted_amount, 100);
  const byArea = await asAdmin('GET', `/v1/campaigns/${mine.id}/summary?area_id=${ids.France}`);
  assert.equal(byArea.json.redemptions_succeeded, 1);
  const elsewhere = await asAdmin('GET', `/v1/campaigns/${mine.id}/summary?area_store_id=${ids.Paris}`);
  assert.equal(elsewhere.json.redemptions_succeeded, 0);
  assert.equal(elsewhere.json.discounted_amount, 0);
  // Their campaign was redeemed by the admin key, which speaks for no store.
  const theirsByStore = await asAdmin('GET', `/v1/campaigns/${theirs.id}/summary?area_id=${ids.Germany}`);
  assert.equal(theirsByStore.json.redemptions_succeeded, 0);
  const theirsAll = await asAdmin('GET', `/v1/campaigns/${theirs.id}/summary`);
  assert.equal(theirsAll.json.redemptions_succeeded, 1);
});

test('areas and stores: CRUD, expand=access_settings_assignments, and who may see them', async () => {
  await setup();
  const got = await asAdmin('GET', `/v1/areas/${ids.France}`);
  assert.equal(got.status, 200, got.text);
  const renamed = await asAdmin('PUT', `/v1/areas/${ids.France}`, { name: 'France (renamed)' });
  assert.equal(renamed.json.name, 'France (renamed)');
  const managed = await asAdmin('GET', `/management/v1/projects/me/areas/${ids.France}/stores`);
  assert.equal(managed.status, 200, managed.text);
  assert.equal(managed.json.object, 'list');
  assert.deepEqual(managed.json.data.map((s) => s.id).sort(), [ids.Lyon, ids.Paris].sort());
  const listed = await asAdmin('GET', '/v1/areas?limit=100');
  assert.ok(listed.json.data.some((a) => a.id === ids.Poland));

  const c = await campaignFor({ areas: ['Germany'], all: ['Poland'], stores: ['Lyon'] });
  assert.equal(c.access_settings_assignments.total, 3);
  for (const a of c.access_settings_assignments.data) {
    assert.equal(a.object, 'area_store_campaign_assignment');
    assert.match(a.id, /^arsca_/);
  }
  const byLevel = Object.fromEntries(c.access_settings_assignments.data.map((a) => [a.area_store_id ?? (a.all_stores ? 'all' : 'area'), a]));
  assert.equal(byLevel.area.area_id, ids.Germany);
  assert.equal(byLevel.all.area_id, ids.Poland);
  assert.equal(byLevel[ids.Lyon].area_id, ids.France, 'a store assignment names its area');
  const plain = await asAdmin('GET', '/v1/campaigns?limit=100');
  assert.equal(plain.json.campaigns.find((x) => x.id === c.id).access_settings_assignments, undefined);
  const expanded = await asAdmin('GET', '/v1/campaigns?limit=100&expand=access_settings_assignments');
  const e = expanded.json.campaigns.find((x) => x.id === c.id).access_settings_assignments;
  assert.equal(e.object, 'list');
  assert.equal(e.data_ref, 'data');
  assert.equal(e.total, 3);

  // Moving between levels: unassign one, assign another.
  const moved = await asAdmin('PUT', `/v1/campaigns/${c.id}`, {
    access_settings: { unassign: { areas_ids: [ids.Germany] }, assign: { area_stores_ids: [ids.Hamburg] } },
  });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual(moved.json.access_settings_assignments.data.map((a) => a.area_store_id ?? a.area_id).sort(),
    [ids.Hamburg, ids.Lyon, ids.Poland].sort());

  // A restricted key sees neither areas nor stores and cannot create them; keys are made by admins.
  const key = restrictedKey({ stores: ['Lyon'] });
  assert.equal((await asKey(key, 'GET', '/v1/areas')).status, 403);
  assert.equal((await asKey(key, 'POST', '/v1/areas', { name: 'mine' })).status, 403);
  assert.equal((await asKey(key, 'POST', '/management/v1/projects/me/api-keys', { role: 'admin' })).status, 403);
  const made = await asAdmin('POST', '/management/v1/projects/me/api-keys', {
    role: 'restricted', assignments: { area_all_stores_ids: [ids.Germany] },
  });
  assert.equal(made.status, 200, made.text);
  assert.equal(made.json.role, 'restricted');
  const munich = await campaignFor({ stores: ['Munich'] });
  assert.equal((await asKey(made.json, 'GET', `/v1/campaigns/${munich.id}`)).json.readonly, false);

  // A restricted key creates campaigns only within its own scope.
  const none = await asKey(key, 'POST', '/v1/campaigns', { name: uniq('no-scope'), campaign_type: 'PROMOTION' });
  assert.equal(none.status, 400, none.text);
  const outside = await asKey(key, 'POST', '/v1/campaigns', {
    name: uniq('outside'), campaign_type: 'PROMOTION', access_settings: access({ stores: ['Paris'] }),
  });
  assert.equal(outside.status, 403, outside.text);
  const inside = await asKey(key, 'POST', '/v1/campaigns', {
    name: uniq('inside'), campaign_type: 'PROMOTION', access_settings: access({ stores: ['Lyon'] }),
  });
  assert.equal(inside.status, 200, inside.text);
  assert.equal(inside.json.readonly, false);
  // Exports run outside the key's scope, so a restricted key may not start one.
  const exported = await asKey(key, 'POST', '/v1/exports', { exported_object: 'voucher' });
  assert.equal(exported.status, 403, exported.text);
  // A tier of a campaign it sees but does not own: read, not changed.
  const shared = await asAdmin('POST', '/v1/campaigns', {
    name: uniq('shared-promo'), campaign_type: 'PROMOTION', access_settings: access({ all: ['France'] }),
    promotion: { tiers: [{ name: uniq('shared-tier'), action: { discount: { type: 'AMOUNT', amount_off: 5 } } }] },
  });
  const sharedTier = shared.json.promotion.tiers[0].id;
  assert.equal((await asKey(key, 'GET', `/v1/promotions/tiers/${sharedTier}`)).status, 200);
  const tierEdit = await asKey(key, 'PUT', `/v1/promotions/tiers/${sharedTier}`, { name: 'mine now' });
  assert.equal(tierEdit.status, 403, tierEdit.text);
  const tierOff = await asKey(key, 'POST', `/v1/promotions/tiers/${sharedTier}/disable`, {});
  assert.equal(tierOff.status, 403, tierOff.text);
  const cannotEmpty = await asKey(key, 'PUT', `/v1/campaigns/${inside.json.id}`, {
    access_settings: { unassign: { area_stores_ids: [ids.Lyon] } },
  });
  assert.equal(cannotEmpty.status, 400, cannotEmpty.text);
  const removed = await asKey(key, 'DELETE', `/v1/campaigns/${inside.json.id}?force=true`);
  assert.ok(removed.status === 202 || removed.status === 204, removed.text);
});

test('bad input: unknown ids, unassigning what is not assigned, both at once, limits, deleting what is in use; nothing half-applied', async () => {
  await setup();
  const c = await campaignFor({ stores: ['Warsaw'] });
  const assignmentsOf = async () => (await asAdmin('GET', `/v1/campaigns/${c.id}`)).json.access_settings_assignments.data.length;
  const cases = [
    [{ assign: { areas_ids: [ids.France, 'ar_unknown'] } }, 404, 'not_found', /areas_ids/],
    [{ assign: { area_stores_ids: [ids.Lyon, 'ars_unknown'] } }, 404, 'not_found', /area_stores_ids/],
    [{ assign: { area_stores_ids: [ids.France] } }, 404, 'not_found', /area_stores_ids/],
    [{ assign: { areas_ids: [ids.Lyon] } }, 404, 'not_found', /areas_ids/],
    [{ unassign: { areas_ids: [ids.France] } }, 400, 'invalid_payload', /not assigned/],
    [{ assign: { areas_ids: [ids.France] }, unassign: { areas_ids: [ids.France] } }, 400, 'invalid_payload', /at once/],
    [{ assign: { area_stores_ids: 'ars_x' } }, 400, 'invalid_payload', /array/],
    [{ assign: { stores: [ids.Lyon] } }, 400, 'invalid_payload', /not a field/],
    [{ assign: { areas_ids: Array.from({ length: 101 }, () => ids.France) } }, 400, 'invalid_payload', /100/],
  ];
  for (const [settings, status, key, details] of cases) {
    const r = await asAdmin('PUT', `/v1/campaigns/${c.id}`, { description: 'should not stick', access_settings: settings });
    assert.equal(r.status, status, `${JSON.stringify(settings)}: ${r.text}`);
    assert.equal(r.json.key, key);
    assert.match(r.json.details, details);
    assert.equal(typeof r.json.request_id, 'string');
    assert.equal(await assignmentsOf(), 1, 'nothing half-applied');
    assert.notEqual((await asAdmin('GET', `/v1/campaigns/${c.id}`)).json.description, 'should not stick');
  }
  // A campaign is created with its assignments or not at all.
  const name = uniq('never-created');
  const failed = await asAdmin('POST', '/v1/campaigns', { name, campaign_type: 'PROMOTION', access_settings: { assign: { areas_ids: ['ar_nope'] } } });
  assert.equal(failed.status, 404, failed.text);
  assert.equal((await asAdmin('GET', `/v1/campaigns/${encodeURIComponent(name)}`)).status, 404);

  // Deleting what is in use.
  const poland = await asAdmin('DELETE', `/v1/areas/${ids.Poland}`);
  assert.equal(poland.status, 400, poland.text);
  assert.equal(poland.json.key, 'resource_in_use');
  const warsaw = await asAdmin('DELETE', `/v1/areas/${ids.Poland}/stores/${ids.Warsaw}`);
  assert.equal(warsaw.status, 400, warsaw.text);
  assert.equal(warsaw.json.key, 'resource_in_use');
  const wrongArea = await asAdmin('DELETE', `/v1/areas/${ids.France}/stores/${ids.Warsaw}`);
  assert.equal(wrongArea.status, 404, wrongArea.text);
  // An empty area can go; a store without campaigns or keys can go.
  const spare = await area('Spare');
  const spareStore = await store('Spare', 'SpareStore');
  assert.equal((await asAdmin('DELETE', `/v1/areas/${spare}`)).status, 400);
  assert.equal((await asAdmin('DELETE', `/v1/areas/${spare}/stores/${spareStore}`)).status, 204);
  assert.equal((await asAdmin('DELETE', `/v1/areas/${spare}`)).status, 204);
  assert.equal((await asAdmin('GET', `/v1/areas/${spare}`)).status, 404);
  // Restricted keys: the CLI refuses one without assignments or with unknown ids.
  assert.throws(() => srv.createKey('--role', 'restricted'));
  assert.throws(() => srv.createKey('--role', 'restricted', '--store', 'ars_unknown'));
  const noName = await asAdmin('POST', '/v1/areas', {});
  assert.equal(noName.status, 400, noName.text);
});

test('limits: 100 stores per area, 100 areas per project', async () => {
  await setup();
  const big = await area('Big');
  for (let i = 0; i < 100; i++) {
    const r = await asAdmin('POST', `/v1/areas/${big}/stores`, { name: `store ${i}` });
    assert.equal(r.status, 200, r.text);
  }
  const extraStore = await asAdmin('POST', `/v1/areas/${big}/stores`, { name: 'one too many' });
  assert.equal(extraStore.status, 400, extraStore.text);
  assert.match(extraStore.json.details, /100 stores/);
  const listed = await asAdmin('GET', '/v1/areas?limit=100');
  for (let n = listed.json.total; n < 100; n++) {
    const r = await asAdmin('POST', '/v1/areas', { name: `area ${n}` });
    assert.equal(r.status, 200, r.text);
  }
  const extra = await asAdmin('POST', '/v1/areas', { name: 'one too many' });
  assert.equal(extra.status, 400, extra.text);
  assert.match(extra.json.details, /100 areas/);
});
