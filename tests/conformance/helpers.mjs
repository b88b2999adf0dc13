// Small helpers shared by the conformance files: unique names per run, raw HTTP for what the
// SDK hides (status codes, malformed bodies), and polling for work that finishes after the reply.
import { randomBytes } from 'node:crypto';

// uniq('name') -> 'name-<run>-<n>': distinct across runs and calls.
export function makeUniq() {
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  return (base) => `${base}-${run}-${++counter}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A request with the server's keys, outside the SDK: {status, text, json}.
export async function rawRequest(srv, method, path, body) {
  const headers = { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${srv.url}${path}`, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, text, json };
}

// Retries `fn` (which throws on a failed assertion) until it passes or `ms` elapse; the last
// error is rethrown.
export async function eventually(fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}
