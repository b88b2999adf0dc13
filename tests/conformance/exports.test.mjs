// Exports through the real @voucherify/sdk 2.9.0 client. Conformance kit
// (shared/spec/conformance-kit.md): step 45g (distributions.exports.create / get / list / delete)
// and vouchers.exportTransactions. The CSV itself is fetched from result.url with the API keys,
// as the reference's download host requires.
// Contract: create-export, get-export, list-exports, delete-export, download-export,
// export-voucher-transactions.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, serverForThisFile, sleep } from './helpers.mjs';
import { assertIsoTimestamp, assertVoucherifyError } from './assertions.mjs';

const uniq = makeUniq();
let client;
let srv;
serverForThisFile((s) => {
  srv = s;
  client = s.client;
});

async function whenDone(id) {
  for (let i = 0; i < 400; i++) {
    const e = await client.distributions.exports.get(id);
    if (e.status === 'DONE' || e.status === 'ERROR') return e;
    await sleep(25);
  }
  throw new Error(`export ${id} did not finish`);
}

async function downloadCsv(url) {
  const res = await fetch(url, { headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  return res.text();
}

test('distributions.exports.create / get / list / delete, and the CSV at result.url (kit #45g)', async () => {
  const code = uniq('EXP').toUpperCase();
  await client.vouchers.create({
    code,
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'AMOUNT', amount_off: 1500 },
    metadata: { region: 'Europe, north' },
  });
  const created = await client.distributions.exports.create({
    exported_object: 'voucher',
    parameters: {
      order: '-created_at',
      fields: ['code', 'voucher_type', 'value', 'discount_type', 'metadata.region'],
      filters: { junction: 'AND', code: { conditions: { $in: [code] } } },
    },
  });
  assert.match(created.id, /^exp_[0-9a-zA-Z]+$/);
  assert.equal(created.object, 'export');
  assert.equal(created.status, 'SCHEDULED');
  assert.equal(created.channel, 'API');
  assert.equal(created.exported_object, 'voucher');
  assert.equal(created.result, null);
  assert.equal(created.user_id, null);
  assertIsoTimestamp(created.created_at);
  assert.deepEqual(created.parameters.fields,
    ['code', 'voucher_type', 'value', 'discount_type', 'metadata.region']);

  const done = await whenDone(created.id);
  assert.equal(done.status, 'DONE');
  assert.equal(typeof done.result.url, 'string');
  const csv = await downloadCsv(done.result.url);
  assert.equal(csv,
    'Code,Voucher Type,Value,Discount Type,metadata.region\r\n' +
    `${code},DISCOUNT_VOUCHER,1500,AMOUNT,"Europe, north"\r\n`);

  const listed = await client.distributions.exports.list({ limit: 10, order: '-created_at' });
  assert.equal(listed.object, 'list');
  assert.equal(listed.data_ref, 'exports');
  assert.ok(listed.exports.some((e) => e.id === created.id));
  assert.ok(listed.total >= 1);

  await client.distributions.exports.delete(created.id);
  await assertVoucherifyError(client.distributions.exports.get(created.id), 404, 'not_found');
  const gone = await fetch(done.result.url, {
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken },
  });
  assert.equal(gone.status, 404);
});

test('an export of an unknown field is refused with invalid_export_fields', async () => {
  await assertVoucherifyError(
    client.distributions.exports.create({ exported_object: 'customer', parameters: { fields: ['name', 'password'] } }),
    400, 'invalid_export_fields');
});

test('vouchers.exportTransactions exports one gift card\'s transactions', async () => {
  const code = uniq('EXPGIFT').toUpperCase();
  await client.vouchers.create({ code, type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
  await client.vouchers.balance.create(code, { amount: 500 });
  const created = await client.vouchers.exportTransactions(code, {
    parameters: { order: '-created_at', fields: ['id', 'type', 'amount', 'balance', 'voucher_id'] },
  });
  assert.equal(created.exported_object, 'voucher_transactions');
  assert.equal(created.status, 'SCHEDULED');
  const voucher = await client.vouchers.get(code);
  assert.deepEqual(created.parameters.filters.voucher_id, { conditions: { $in: [voucher.id] } });
  const done = await whenDone(created.id);
  const lines = (await downloadCsv(done.result.url)).trimEnd().split('\r\n');
  assert.equal(lines[0], 'ID,Type,Amount,Balance,Voucher ID');
  assert.equal(lines.length, 2);
  assert.match(lines[1], new RegExp(`^vtx_[0-9a-z]+,CREDITS_ADDITION,500,1500,${voucher.id}$`));
});
