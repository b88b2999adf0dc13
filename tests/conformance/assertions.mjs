// Assertions shared by the conformance test files.
import assert from 'node:assert/strict';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

// An ISO 8601 UTC timestamp close to now (server and tests share one clock).
export function assertIsoTimestamp(value, label) {
  assert.equal(typeof value, 'string', `${label} must be a string`);
  assert.match(value, ISO_UTC, `${label} must be an ISO 8601 UTC timestamp`);
  const t = Date.parse(value);
  assert.ok(Number.isFinite(t), `${label} must parse as a date`);
  assert.ok(Math.abs(Date.now() - t) < 10 * 60 * 1000, `${label}=${value} is not close to the current time`);
}

// Asserts that `promise` rejects with a VoucherifyError carrying the given code (and key, unless null).
export async function assertVoucherifyError(promise, code, key) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `error.code (message: ${err.message}, key: ${err.key}, details: ${err.details})`);
    if (key !== null) assert.equal(err.key, key, `error.key (message: ${err.message}, details: ${err.details})`);
    else assert.equal(typeof err.key, 'string', 'error.key must be a string');
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0, 'error.message must be non-empty');
    assert.equal(typeof err.request_id, 'string', 'error.request_id must be a string');
    return true;
  });
}
