// Debian's chromium, headless, through puppeteer-core; screenshots and axe-core checks for the
// end-to-end tests. No browser is downloaded: the scripts install Debian's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE = path.join(HERE, 'node_modules/axe-core/axe.min.js');

// Where screenshots go: $OPENPROMO_E2E_OUT, else build/e2e-screenshots of the source tree.
export const OUT = process.env.OPENPROMO_E2E_OUT || path.resolve(HERE, '../../build/e2e-screenshots');

export async function launch(tmpDir) {
  fs.mkdirSync(OUT, { recursive: true });
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  assert.ok(fs.existsSync(executablePath), `${executablePath} is missing: scripts/setup.sh --for-tests installs Debian's chromium`);
  // Without the background-networking flags chromium keeps trying hosts this machine cannot reach.
  return puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: path.join(tmpDir, 'chromium-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--window-size=1280,900',
      // Several tabs run at once (the live home page beside the demo store): none is throttled.
      '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'],
    defaultViewport: { width: 1280, height: 900 },
  });
}

// A page that records console errors and requests leaving 127.0.0.1 (there must be none).
export async function newPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  // API answers of 4xx are the pages' business (they show them); a file of the pages that is
  // missing is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    const api = u.pathname.startsWith('/v1/') || u.pathname.startsWith('/management/') || u.pathname.startsWith('/dashboard/api/');
    if (!api && r.status() >= 400) page.problems.push(`${r.status()} for ${u.pathname}`);
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.hostname !== '127.0.0.1') page.problems.push(`left the machine: ${r.url()}`);
  });
  page.setDefaultTimeout(30000);  // generous: CI runs other suites beside this one
  return page;
}

export async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// axe-core over the page: no serious or critical violation.
export async function checkAccessibility(page, name) {
  // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not
  // govern: the pages themselves run under it unchanged.
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: accessibility violations ${JSON.stringify(serious, null, 1)}`);
  return result;
}

export async function textOf(page, selector) {
  return page.$eval(selector, (el) => el.textContent.trim());
}

// Waits until `selector`'s text contains `wanted`.
export async function waitForText(page, selector, wanted, timeout = 30000) {
  try {
    await page.waitForFunction((sel, want) => {
      const el = document.querySelector(sel);
      return el && el.textContent.includes(want);
    }, { timeout, polling: 100 }, selector, wanted);
  } catch (e) {
    const seen = await page.$eval(selector, (el) => el.textContent).catch(() => '(no such element)');
    throw new Error(`"${wanted}" never appeared in ${selector}, which reads: ${seen}`);
  }
  return textOf(page, selector);
}

// Waits until `selector`'s text is something other than `previous`.
export async function waitForChange(page, selector, previous, timeout = 30000) {
  await page.waitForFunction((sel, before) => {
    const el = document.querySelector(sel);
    return el && el.textContent.trim() !== before;
  }, { timeout, polling: 100 }, selector, previous);
  return textOf(page, selector);
}

export function runCli(bin, args, input) {
  return execFileSync(bin, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
