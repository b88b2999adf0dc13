// Small helpers shared by the conformance files: unique names per run, raw HTTP for what the
// SDK hides (status codes, malformed bodies), and polling for work that finishes after the reply.
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';

import { startServer } from './harness.mjs';

// uniq('name') -> 'name-<run>-<n>': distinct across runs and calls; uniq.run is the run's tag.
export function makeUniq() {
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  const uniq = (base) => `${base}-${run}-${++counter}`;
  uniq.run = run;
  return uniq;
}

export const j = (x) => JSON.stringify(x);

// Starts one server for the calling test file (before its first test, stopped after its last)
// and hands it to `onStarted`.
export function serverForThisFile(onStarted) {
  let srv;
  before(async () => {
    srv = await startServer();
    onStarted(srv);
  });
  after(async () => {
    await srv?.stop();
  });
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

// Polls async action `id` through the SDK until it is DONE or FAILED; throws after ~10 s.
export async function finishedAction(client, id) {
  for (let i = 0; i < 400; i++) {
    const a = await client.asyncActions.get(id);
    if (a.status === 'DONE' || a.status === 'FAILED') return a;
    await sleep(25);
  }
  throw new Error(`async action ${id} did not finish`);
}
