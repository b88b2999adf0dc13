// Issue 18, items 10 and 11: management keys with the /management/v1 projects endpoints, and
// OAuth 2.0 tokens. The 2.9.x SDK has neither a management client nor an OAuth helper, so the
// management calls are the raw requests the 3.x SDK sends (X-Management-Id / X-Management-Token,
// as the OpenAPI file's security schemes say) and the token is fetched as the reference's docs
// show (form body, the key in X-App-Id / X-App-Token or HTTP Basic); the SDK then runs with the
// token as `Authorization: Bearer` (customHeaders), as the issue asks.
// Contract: list-projects, create-project, get-project, update-project, list-stacking-rules;
// generate-oauth-token, introspect-oauth-token, revoke-oauth-token.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, serverForThisFile } from './helpers.mjs';
import { assertVoucherifyError } from './assertions.mjs';

const uniq = makeUniq();
let srv;
serverForThisFile((s) => {
  srv = s;
});

async function call(method, path, { headers = {}, body, form } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (form !== undefined) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${srv.url}${path}`, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

const appKeys = () => ({ 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken });

test('management key: list, create and read projects; server keys cannot list them', async () => {
  const key = srv.createKey('--role', 'management');
  assert.equal(key.type, 'management');
  const m = { 'X-Management-Id': key.app_id, 'X-Management-Token': key.app_token };

  const listed = await call('GET', '/management/v1/projects', { headers: m });
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.object, 'list');
  assert.equal(listed.json.data_ref, 'data');
  assert.ok(listed.json.data.length >= 1);
  assert.match(listed.json.data[0].id, /^proj_/);

  const name = uniq('Second shop');
  const created = await call('POST', '/management/v1/projects', {
    headers: m,
    body: { name, timezone: 'Europe/Warsaw', currency: 'PLN' },
  });
  assert.equal(created.status, 200, created.text);
  assert.equal(created.json.name, name);
  assert.equal(created.json.timezone, 'Europe/Warsaw');
  assert.equal(created.json.currency, 'PLN');
  assert.ok(created.json.server_side_key.app_id && created.json.server_side_key.app_token);
  assert.ok(created.json.client_side_key.app_id && created.json.client_side_key.app_token);

  // The new project's server key works with the SDK, and sees only its own project.
  const other = srv.makeClient({
    applicationId: created.json.server_side_key.app_id,
    secretKey: created.json.server_side_key.app_token,
  });
  const campaigns = await other.campaigns.list();
  assert.equal(campaigns.total, 0);

  const got = await call('GET', `/management/v1/projects/${created.json.id}`, { headers: m });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.id, created.json.id);
  const renamed = await call('PUT', `/management/v1/projects/${created.json.id}`, {
    headers: m,
    body: { name: `${name} (renamed)` },
  });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.name, `${name} (renamed)`);
  // Project-level management routes take the management key for any project.
  const stacking = await call('GET', `/management/v1/projects/${created.json.id}/stacking-rules`, { headers: m });
  assert.equal(stacking.status, 200, stacking.text);
  assert.equal((await call('GET', '/management/v1/projects', { headers: m })).json.total,
    listed.json.total + 1);

  const unknown = await call('GET', '/management/v1/projects/proj_nope', { headers: m });
  assert.equal(unknown.status, 404);
  const withServerKey = await call('GET', '/management/v1/projects', { headers: appKeys() });
  assert.equal(withServerKey.status, 401);
  assert.equal(withServerKey.json.key, 'unauthorized');
  const wrong = await call('GET', '/management/v1/projects', {
    headers: { 'X-Management-Id': key.app_id, 'X-Management-Token': 'wrong' },
  });
  assert.equal(wrong.status, 401);
  // A management key is not a server key.
  const asServer = await call('GET', '/v1/campaigns', {
    headers: { 'X-App-Id': key.app_id, 'X-App-Token': key.app_token },
  });
  assert.equal(asServer.status, 401);
});

test('OAuth: a token from the key runs the SDK as Authorization: Bearer, narrowed to its scope', async () => {
  const issued = await call('POST', '/v1/oauth/token', {
    headers: appKeys(),
    form: { grant_type: 'client_credentials', scope: 'vouchers validations' },
  });
  assert.equal(issued.status, 200, issued.text + ' ' + JSON.stringify(issued.json));
  assert.equal(issued.json.token_type, 'Bearer');
  assert.equal(issued.json.expires_in, 900);
  assert.equal(issued.json.scope, 'vouchers validations');
  assert.equal(issued.json.client_id, srv.appId);
  assert.ok(issued.json.expires_at > Date.now() / 1000);
  const token = issued.json.access_token;
  assert.match(token, /^[0-9A-Za-z]{40,}$/);

  // The SDK needs some key strings; the Bearer header is what the server reads.
  const viaToken = srv.makeClient({
    applicationId: 'unused', secretKey: 'unused',
    customHeaders: { Authorization: `Bearer ${token}` },
  });
  const code = uniq('OAUTH').toUpperCase();
  const created = await viaToken.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  assert.equal(created.code, code);
  const validated = await viaToken.validations.validateStackable({ redeemables: [{ object: 'voucher', id: code }], order: { amount: 1000 } });
  assert.equal(validated.valid, true);
  // Outside its scope: 403 with the contract's error JSON.
  await assertVoucherifyError(viaToken.campaigns.list(), 403, 'missing_required_permission');

  const introspected = await call('POST', '/v1/oauth/introspect', { headers: appKeys(), form: { access_token: token } });
  assert.equal(introspected.status, 200, introspected.text);
  assert.equal(introspected.json.active, true);
  assert.equal(introspected.json.scope, 'vouchers validations');

  const revoked = await call('POST', '/v1/oauth/token/revoke', { headers: appKeys(), form: { access_token: token } });
  assert.equal(revoked.status, 200, revoked.text);
  await assertVoucherifyError(viaToken.vouchers.get(code), 401, 'unauthorized');
  const after = await call('POST', '/v1/oauth/introspect', { headers: appKeys(), form: { access_token: token } });
  assert.equal(after.json.active, false);
  const unknown = await call('POST', '/v1/oauth/introspect', { headers: appKeys(), form: { access_token: 'nope' } });
  assert.deepEqual(unknown.json, { active: false });
});

test('OAuth: HTTP Basic credentials, the api scope, and refused requests', async () => {
  const basic = Buffer.from(`${srv.appId}:${srv.appToken}`).toString('base64');
  const issued = await call('POST', '/v1/oauth/token', {
    headers: { Authorization: `Basic ${basic}` },
    form: { grant_type: 'client_credentials', scope: 'api' },
  });
  assert.equal(issued.status, 200, issued.text);
  const all = srv.makeClient({
    applicationId: 'unused', secretKey: 'unused',
    customHeaders: { Authorization: `Bearer ${issued.json.access_token}` },
  });
  const list = await all.campaigns.list();
  assert.equal(list.object, 'list');

  const commas = await call('POST', '/v1/oauth/token', { headers: appKeys(), form: { grant_type: 'client_credentials', scope: 'api,vouchers' } });
  assert.equal(commas.status, 400);
  assert.equal(commas.json.key, 'invalid_scope');
  assert.ok(commas.json.request_id);
  const grant = await call('POST', '/v1/oauth/token', { headers: appKeys(), form: { grant_type: 'password', scope: 'api' } });
  assert.equal(grant.status, 400);
  assert.equal(grant.json.key, 'unsupported_grant_type');
  const noKey = await call('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', scope: 'api' } });
  assert.equal(noKey.status, 401);
  const badBearer = await call('GET', '/v1/vouchers', { headers: { Authorization: 'Bearer not-a-token' } });
  assert.equal(badBearer.status, 401);
  assert.equal(badBearer.json.key, 'unauthorized');
});

test('OAuth: a client key\'s token opens the client API from that key\'s origins only', async () => {
  const key = srv.createKey('--role', 'admin', '--client', '--origin', 'https://shop.example');
  const issued = await call('POST', '/v1/oauth/token', {
    headers: { 'X-Client-Application-Id': key.app_id, 'X-Client-Token': key.app_token, Origin: 'https://shop.example' },
    form: { grant_type: 'client_credentials', scope: 'client_qualifications' },
  });
  assert.equal(issued.status, 200, issued.text);
  const bearer = { Authorization: `Bearer ${issued.json.access_token}` };
  const body = { customer: { source_id: uniq('oauth-client') }, order: { amount: 1000 } };
  const fromShop = await call('POST', '/client/v1/qualifications', { headers: { ...bearer, Origin: 'https://shop.example' }, body });
  assert.equal(fromShop.status, 200, fromShop.text);
  const elsewhere = await call('POST', '/client/v1/qualifications', { headers: { ...bearer, Origin: 'https://evil.example' }, body });
  assert.equal(elsewhere.status, 401, elsewhere.text);
  // Not a server credential, and a server scope cannot be asked for with a client key.
  const onServer = await call('POST', '/v1/qualifications', { headers: bearer, body });
  assert.equal(onServer.status, 401);
  const serverScope = await call('POST', '/v1/oauth/token', {
    headers: { 'X-Client-Application-Id': key.app_id, 'X-Client-Token': key.app_token, Origin: 'https://shop.example' },
    form: { grant_type: 'client_credentials', scope: 'api' },
  });
  assert.equal(serverScope.status, 400);
  // Browsers may send the header: the preflight allows it.
  const preflight = await fetch(`${srv.url}/client/v1/qualifications`, {
    method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Headers': 'authorization' },
  });
  assert.match(preflight.headers.get('access-control-allow-headers'), /Authorization/);
});
