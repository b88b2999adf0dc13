// Conformance-test harness: starts one OpenPromo server on a fresh database
// for a test file and hands back a Voucherify SDK client pointed at it.
//
//   const srv = await startServer();
//   srv.url      -> 'http://127.0.0.1:PORT' (no trailing slash; the SDK appends /v1/)
//   srv.client   -> VoucherifyServerSide({ applicationId, secretKey, apiUrl: srv.url })
//   srv.makeClient({ secretKey: 'wrong' }) -> another client with option overrides
//   await srv.stop()
//
// Environment:
//   OPENPROMO_BIN            server binary (default ../../build/bin/openpromo, relative to this file)
//   OPENPROMO_TEST_BACKEND   'sqlite' (default) or 'postgresql'
//   OPENPROMO_TEST_PG_URL    admin URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres
//                            (required when the backend is postgresql)
//   OPENPROMO_TEST_KEEP_TMP  if set to 1, keep the temp dir (database, server logs) after stop()
//   OPENPROMO_TEST_START_TIMEOUT_MS  how long to wait for "listening on" (default 20000)

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// @voucherify/sdk 2.9.0 ships a UMD bundle as "main" and has no "exports" map,
// so from ESM only the default (CommonJS) export is reliably available.
import voucherifySdk from '@voucherify/sdk';

const { VoucherifyServerSide } = voucherifySdk;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LISTENING_RE = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

function binaryPath() {
  const bin = process.env.OPENPROMO_BIN || path.resolve(HERE, '../../build/bin/openpromo');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`openpromo binary not found or not executable: ${bin} (set OPENPROMO_BIN)`);
  }
  return bin;
}

// axios (inside the SDK) honours HTTP(S)_PROXY; never send local traffic through a proxy.
function bypassProxyForLocalhost() {
  const proxied = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy']
    .some((k) => process.env[k]);
  if (!proxied) return;
  for (const k of ['NO_PROXY', 'no_proxy']) {
    const cur = process.env[k] ? process.env[k].split(',').map((s) => s.trim()).filter(Boolean) : [];
    for (const h of ['127.0.0.1', 'localhost']) if (!cur.includes(h)) cur.push(h);
    process.env[k] = cur.join(',');
  }
}

function psql(adminUrl, sql) {
  try {
    execFileSync('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT || '10' },
      timeout: 60_000,
    });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : '';
    throw new Error(`psql failed for ${JSON.stringify(sql)}: ${err.message}\n${stderr}`);
  }
}

function prepareDatabase(tmpDir) {
  const backend = (process.env.OPENPROMO_TEST_BACKEND || 'sqlite').trim().toLowerCase();
  if (backend === 'sqlite') {
    return { backend, dbUrl: `sqlite:${path.join(tmpDir, 'test.db')}`, drop: () => {} };
  }
  if (backend !== 'postgresql') {
    throw new Error(`OPENPROMO_TEST_BACKEND must be 'sqlite' or 'postgresql', got '${backend}'`);
  }
  const adminUrl = process.env.OPENPROMO_TEST_PG_URL;
  if (!adminUrl) {
    // Deliberately a failure, never a skip: a postgresql run without a database is misconfigured.
    throw new Error('OPENPROMO_TEST_BACKEND=postgresql but OPENPROMO_TEST_PG_URL is not set');
  }
  const name = `openpromo_conf_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  psql(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    backend,
    dbUrl: u.toString(),
    drop: () => psql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

function readTail(file, maxBytes = 64 * 1024) {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(Math.max(0, buf.length - maxBytes)).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Start a server on a fresh database.
 * @returns {Promise<{url: string, client: object, makeClient: (o?: object) => object,
 *   appId: string, appToken: string, backend: string, dbUrl: string, tmpDir: string,
 *   createKey: (...args: string[]) => object,
 *   stderrFile: string, stop: () => Promise<void>}>}
 */
export async function startServer() {
  bypassProxyForLocalhost();
  const bin = binaryPath();
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openpromo-conformance-'));
  const stdoutFile = path.join(tmpDir, 'server.stdout.log');
  const stderrFile = path.join(tmpDir, 'server.stderr.log');
  const keepTmp = process.env.OPENPROMO_TEST_KEEP_TMP === '1';
  const startTimeoutMs = Number(process.env.OPENPROMO_TEST_START_TIMEOUT_MS || 20_000);

  const cleanupTmp = () => {
    if (!keepTmp) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  let db;
  try {
    db = prepareDatabase(tmpDir);
  } catch (err) {
    cleanupTmp();
    throw err;
  }

  const appId = `conf-app-${randomBytes(6).toString('hex')}`;
  const appToken = `conf-token-${randomBytes(16).toString('hex')}`;

  const env = { ...process.env, OPENPROMO_BOOTSTRAP_APP_ID: appId, OPENPROMO_BOOTSTRAP_APP_TOKEN: appToken };
  delete env.OPENPROMO_LISTEN;
  delete env.OPENPROMO_DB;

  const stderrFd = fs.openSync(stderrFile, 'w');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', db.dbUrl, '--threads', '2'], {
    cwd: tmpDir,
    env,
    stdio: ['ignore', 'pipe', stderrFd],
  });
  fs.closeSync(stderrFd); // the child holds its own copy

  const stdoutLog = fs.createWriteStream(stdoutFile);
  let exited = null; // { code, signal } once the process is gone
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);

  const describe = () =>
    `openpromo ${bin}\n  db: ${db.dbUrl}\n  tmp: ${tmpDir}\n` +
    `--- server stdout ---\n${readTail(stdoutFile)}\n--- server stderr (${stderrFile}) ---\n${readTail(stderrFile)}`;

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(
        () => reject(new Error(`server did not print "listening on" within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('error', (err) => { clearTimeout(timer); reject(err); });
      child.stdout.on('data', (chunk) => {
        stdoutLog.write(chunk);
        if (buf === null) return;
        buf += chunk.toString('utf8');
        const m = LISTENING_RE.exec(buf);
        if (m) {
          buf = null;
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      exitPromise.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
    // Belt and braces: the process said it is listening; make sure it answers.
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) throw new Error(`GET /health returned ${res.status}: ${await res.text()}`);
  } catch (err) {
    killOnExit();
    await exitPromise;
    await new Promise((r) => stdoutLog.end(r));
    const details = describe();
    console.error(`[harness] openpromo failed to start: ${err.message}\n${details}`);
    process.removeListener('exit', killOnExit);
    try { db.drop(); } catch (dropErr) { console.error(`[harness] ${dropErr.message}`); }
    cleanupTmp();
    throw new Error(`openpromo failed to start: ${err.message}\n${details}`);
  }

  const makeClient = (overrides = {}) =>
    VoucherifyServerSide({
      applicationId: appId,
      secretKey: appToken,
      apiUrl: url,
      timeoutMs: 15_000,
      ...overrides,
    });

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      const diedEarly = exited;
      if (!exited) {
        child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((r) => { timer = setTimeout(r, 10_000, 'timeout'); });
        const winner = await Promise.race([exitPromise, timeout]);
        clearTimeout(timer);
        if (winner === 'timeout') {
          child.kill('SIGKILL');
          await exitPromise;
          exited = { ...exited, timedOut: true };
        }
      }
      process.removeListener('exit', killOnExit);
      await new Promise((r) => stdoutLog.end(r));

      const problems = [];
      if (diedEarly) problems.push(`server died during the tests (code ${diedEarly.code}, signal ${diedEarly.signal})`);
      else if (exited.timedOut) problems.push('server did not exit within 10 s of SIGTERM (killed)');
      else if (exited.code !== 0) problems.push(`server exited with code ${exited.code}, signal ${exited.signal} after SIGTERM`);
      const details = problems.length ? describe() : '';

      try { db.drop(); } catch (err) { problems.push(err.message); }
      if (problems.length) {
        console.error(`[harness] ${problems.join('; ')}\n${details}`);
        if (!keepTmp) console.error(`[harness] set OPENPROMO_TEST_KEEP_TMP=1 to keep ${tmpDir}`);
      }
      cleanupTmp();
      if (problems.length) throw new Error(problems.join('; '));
    })();
    return stopped;
  };

  // `openpromo keys create ARGS...` on this server's database (a real CLI call): the key's JSON.
  const createKey = (...args) =>
    JSON.parse(execFileSync(bin, ['keys', 'create', '--db', db.dbUrl, ...args], { cwd: tmpDir, encoding: 'utf8' }));

  return {
    url,
    createKey,
    client: makeClient(),
    makeClient,
    appId,
    appToken,
    backend: db.backend,
    dbUrl: db.dbUrl,
    tmpDir,
    stderrFile,
    stop,
  };
}
