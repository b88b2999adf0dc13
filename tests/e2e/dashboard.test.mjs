// End to end: the dashboard and the demo store in Debian's chromium (headless), against the real
// server on a fresh database (SQLite or PostgreSQL, as OPENPROMO_TEST_BACKEND says), with the demo
// seed. One story, in order: each test builds on the previous one, and each saves a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../conformance/harness.mjs';
import { launch, newPage, shot, checkAccessibility, textOf, waitForText, waitForChange, runCli } from './browser.mjs';

const ADMIN = { email: 'marketing@example.com', password: 'spring campaign 2027' };
const RESTRICTED = { email: 'lyon@example.com', password: 'lyon store manager' };
let srv;
let browser;
let page;
const bin = process.env.OPENPROMO_BIN;
const ids = {};

async function asAdmin(method, path, body) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function assertNoProblems(p) {
  assert.deepEqual(p.problems, [], 'console errors, CSP violations or requests leaving the machine');
}

async function go(p, hash) {
  await p.bringToFront();  // chromium freezes tabs in the background
  const url = `${srv.url}/dashboard/${hash}`;
  // The same URL again is no navigation (only the hash would change): load it afresh.
  if (p.url() === url) await p.reload({ waitUntil: 'domcontentloaded' });
  else await p.goto(url, { waitUntil: 'domcontentloaded' });
  await p.waitForFunction(() => !document.querySelector('main [role=status]')?.textContent.includes('Loading'), { polling: 100 });
}

async function fill(p, selector, value) {
  await p.$eval(selector, (el) => { el.value = ''; });
  await p.type(selector, value);
}

before(async () => {
  srv = await startServer();
  runCli(bin, ['users', 'create', '--db', srv.dbUrl, '--email', ADMIN.email, '--role', 'admin'], `${ADMIN.password}\n`);
  const seeded = runCli(bin, ['demo', 'seed', '--db', srv.dbUrl]);
  assert.match(seeded, /Flash sale/);
  browser = await launch(srv.tmpDir);
  page = await newPage(browser);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('sign in: a wrong password is refused next to the field; the keyboard alone signs in', async () => {
  await page.goto(`${srv.url}/dashboard/`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('input[name=email]');
  await checkAccessibility(page, 'sign-in');
  await page.type('input[name=email]', ADMIN.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  const error = await waitForText(page, '.field[data-field=password] .field-error', 'Wrong email or password');
  assert.match(error, /Unauthorized|Wrong/);
  assert.equal(await page.$eval('input[name=password]', (el) => el.getAttribute('aria-invalid')), 'true');
  await shot(page, '01-sign-in-error');
  await page.$eval('input[name=password]', (el) => { el.value = ''; });
  await page.focus('input[name=password]');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await waitForText(page, 'header .who', ADMIN.email);
  // The page holds no API key: the session is an HttpOnly cookie the page cannot read.
  assert.equal(await page.evaluate(() => document.cookie), '');
  await page.waitForSelector('#total-redemptions');
  await checkAccessibility(page, 'home');
  await shot(page, '02-home');
  assertNoProblems(page);
});

test('stacking: a category made exclusive, with the settings help text', async () => {
  await go(page, '#/stacking');
  assert.match(await textOf(page, 'main'), /An incentive of these categories applies alone/);
  await fill(page, '#cat-title ~ .row input[name=name]', 'Exclusive deals');
  await page.click('form[aria-labelledby=cat-title] button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('select[name=exclusive_categories] option')].some((o) => o.textContent === 'Exclusive deals'));
  await page.evaluate(() => {
    for (const o of document.querySelectorAll('select[name=exclusive_categories] option')) o.selected = o.textContent === 'Exclusive deals';
  });
  await page.click('form[aria-labelledby=stacking-title] button[type=submit]');
  await waitForText(page, 'main p.ok', 'Saved');
  const rules = await asAdmin('GET', '/management/v1/projects/me/stacking-rules');
  const categories = await asAdmin('GET', '/v1/categories');
  ids.exclusive = categories.data.find((c) => c.name === 'Exclusive deals').id;
  assert.deepEqual(rules.data[0].exclusive_categories, [ids.exclusive]);
  await checkAccessibility(page, 'stacking');
  await shot(page, '03-stacking');
  assertNoProblems(page);
});

test('create a campaign with a rule; a bad value gets the API error next to its field', async () => {
  await go(page, '#/campaigns/new');
  await fill(page, 'input[name=name]', 'Spring exclusive');
  await page.select('select[name=type]', 'AUTO_UPDATE');
  await fill(page, 'input[name=vouchers_count]', '5');
  await fill(page, 'input[name="voucher.code_config.pattern"]', 'SPRING-####');
  await fill(page, 'input[name="voucher.discount.percent_off"]', '150');
  await page.select('select[name=category_id]', ids.exclusive);
  await fill(page, 'input[name="order.amount"]', '50.00');
  await page.click('form button[type=submit]');
  const error = await waitForText(page, '.field[data-field="voucher.discount.percent_off"] .field-error', 'percent_off');
  assert.ok(error.length > 10, error);
  await checkAccessibility(page, 'campaign-form-error');
  await shot(page, '04-campaign-form-error');
  // The refused campaign left no rule behind.
  const rulesBefore = await asAdmin('GET', '/v1/validation-rules?limit=100');
  assert.ok(!rulesBefore.data.some((r) => r.name.startsWith('Spring exclusive')), 'the rule of a refused campaign is removed');

  await fill(page, 'input[name="voucher.discount.percent_off"]', '20');
  await page.click('form button[type=submit]');
  await page.waitForFunction(() => /#\/campaigns\/camp_/.test(location.hash));
  ids.spring = decodeURIComponent(page.url().split('#/campaigns/')[1]);
  await waitForText(page, 'h1', 'Spring exclusive');
  const campaign = await asAdmin('GET', `/v1/campaigns/${ids.spring}`);
  assert.equal(campaign.category_id, ids.exclusive);
  assert.equal(campaign.validation_rules_assignments.total, 1);
  const rule = await asAdmin('GET', `/v1/validation-rules/${campaign.validation_rules_assignments.data[0].rule_id}`);
  assert.deepEqual(rule.rules['1'].conditions, { $more_than: [5000] });
  await page.click('.tabs button:nth-child(3)');
  await waitForText(page, '#tabpanel', 'Spend more than 50.00');
  await checkAccessibility(page, 'campaign-page');
  await shot(page, '05-campaign-page');
  assertNoProblems(page);
});

test('every campaign type can be created from the form', async () => {
  const cases = [
    { type: 'PROMOTION', fill: { 'promotion.tiers.name': 'Big basket', 'voucher.discount.amount_off': '5.00' }, discount: 'AMOUNT',
      check: (c) => assert.equal(c.promotion.tiers[0].action.discount.amount_off, 500) },
    { type: 'GIFT_VOUCHERS', fill: { 'voucher.code_config.pattern': 'GC-####', 'voucher.gift.amount': '25.00' }, unique: 2,
      check: (c) => assert.equal(c.voucher.gift.amount, 2500) },
    { type: 'LOYALTY_PROGRAM', fill: { 'voucher.code_config.pattern': 'LC-####', 'voucher.loyalty_card.points': '100' }, unique: 2,
      check: (c) => assert.equal(c.voucher.loyalty_card.points, 100) },
    { type: 'REFERRAL_PROGRAM', fill: { 'voucher.code_config.pattern': 'RF-####', 'voucher.discount.amount_off': '3.00' }, discount: 'AMOUNT', unique: 2,
      check: (c) => assert.equal(c.voucher.discount.amount_off, 300) },
  ];
  for (const k of cases) {
    await go(page, '#/campaigns/new');
    await fill(page, 'input[name=name]', `Form ${k.type}`);
    await page.select('select[name=campaign_type]', k.type);
    if (k.unique) {
      await page.select('select[name=type]', 'AUTO_UPDATE');
      await fill(page, 'input[name=vouchers_count]', String(k.unique));
    }
    if (k.discount) await page.select('select[name="voucher.discount.type"]', k.discount);
    for (const [name, value] of Object.entries(k.fill)) await fill(page, `input[name="${name}"]`, value);
    await page.click('form button[type=submit]');
    await page.waitForFunction(() => /#\/campaigns\/camp_/.test(location.hash));
    const id = decodeURIComponent(page.url().split('#/campaigns/')[1]);
    const c = await asAdmin('GET', `/v1/campaigns/${id}`);
    assert.equal(c.campaign_type, k.type);
    assert.equal(c.name, `Form ${k.type}`);
    k.check(c);
  }
  await shot(page, '05b-created-every-type');
  assertNoProblems(page);
});

test('find it in the list, clone it and disable the copy', async () => {
  await go(page, '#/campaigns');
  await fill(page, 'input[name=name]', 'Spring');
  await page.click('form[role=search] button[type=submit]');
  await waitForText(page, 'main [role=status]', '1 campaign');
  assert.match(await textOf(page, 'main table'), /Spring exclusive/);
  assert.doesNotMatch(await textOf(page, 'main table'), /Flash sale/);
  await checkAccessibility(page, 'campaign-list');
  await shot(page, '06-campaign-list');
  await page.click('main table a');
  await waitForText(page, 'h1', 'Spring exclusive');
  const clone = await page.$$('.actions button');
  const labels = await Promise.all(clone.map((b) => b.evaluate((el) => el.textContent)));
  await clone[labels.indexOf('Clone')].click();
  await waitForText(page, 'h1', 'Spring exclusive (copy)');
  ids.copy = decodeURIComponent(page.url().split('#/campaigns/')[1]);
  assert.notEqual(ids.copy, ids.spring);
  const buttons = await page.$$('.actions button');
  const names = await Promise.all(buttons.map((b) => b.evaluate((el) => el.textContent)));
  await buttons[names.indexOf('Disable')].click();
  await waitForText(page, '[data-testid=campaign-status]', 'Disabled');
  assert.equal((await asAdmin('GET', `/v1/campaigns/${ids.copy}`)).active, false);
  assert.equal((await asAdmin('GET', `/v1/campaigns/${ids.spring}`)).active, true);
  await shot(page, '07-clone-disabled');
  assertNoProblems(page);
});

test('the calendar shows both with an overlap warning (they cannot stack)', async () => {
  await go(page, '#/calendar');
  const warning = await waitForText(page, '#overlap-warnings', 'Spring exclusive (copy)');
  assert.match(warning, /Spring exclusive and Spring exclusive \(copy\)|Spring exclusive \(copy\) and Spring exclusive/);
  assert.match(warning, /exclusive category "Exclusive deals"/);
  // Seeded campaigns without a category do not conflict with each other.
  assert.doesNotMatch(warning, /Flash sale and Welcome coupons/);
  assert.match(await textOf(page, 'main table'), /Flash sale/);
  await checkAccessibility(page, 'calendar');
  await shot(page, '08-calendar');
  assertNoProblems(page);
});

test('publish a code of the campaign to a customer', async () => {
  await go(page, '#/publish');
  await page.select('select[name=campaign]', ids.spring);
  const anna = (await asAdmin('GET', '/v1/customers/demo-anna')).id;
  ids.anna = anna;
  await page.select('select[name=customer]', anna);
  await page.click('main form button[type=submit]');
  ids.code = await waitForText(page, '[data-testid=published-code]', 'SPRING-');
  const publications = await asAdmin('GET', `/v1/publications?campaign=${ids.spring}`);
  assert.equal(publications.publications[0].voucher.code, ids.code);
  assert.equal(publications.publications[0].customer_id, anna);
  await shot(page, '09-published');

  // Every customer of a segment: the seeded "Gold members" (Anna and Chloe), with progress.
  const welcome = (await asAdmin('GET', '/v1/campaigns?limit=100')).campaigns.find((c) => c.name === 'Welcome coupons');
  await page.select('select[name=campaign]', welcome.id);
  await page.select('select[name=to]', 'segment');
  const gold = (await asAdmin('GET', '/v1/segments?limit=100')).data.find((x) => x.name === 'Gold members');
  await page.select('select[name=segment]', gold.id);
  await page.click('main form button[type=submit]');
  await page.waitForSelector('progress[aria-label="Publication progress"]');
  await waitForText(page, 'main [role=status]', 'Done');
  const held = (await asAdmin('GET', `/v1/publications?campaign=${welcome.id}&limit=100`)).publications.map((p) => p.customer?.source_id).sort();
  assert.deepEqual(held, ['demo-anna', 'demo-chloe']);
  await checkAccessibility(page, 'publish');
  await shot(page, '09b-published-segment');
  assertNoProblems(page);
});

test('demo store: the code applies with the exact discount, the skipped promotion says why; redeem shows live on home', async () => {
  // The home page stays open in its own tab: the redemption must appear there without a reload.
  const home = await newPage(browser);
  await home.goto(`${srv.url}/dashboard/#/`, { waitUntil: 'domcontentloaded' });
  const before = await waitForChange(home, '[data-testid=total-redemptions]', '');
  const store = await newPage(browser);
  await store.bringToFront();
  await store.goto(`${srv.url}/demo/`, { waitUntil: 'domcontentloaded' });
  await store.waitForSelector('select[name=customer]');
  await store.select('select[name=customer]', ids.anna);
  const products = await asAdmin('GET', '/v1/products?limit=100');
  const coffee = products.products.find((p) => p.source_id === 'demo-coffee-colombia');
  for (let i = 0; i < 3; i++) await store.click(`button[aria-label="Add ${coffee.name}"]`);
  const subtotal = coffee.price * 3;
  await waitForText(store, '#subtotal', (subtotal / 100).toFixed(2));
  // The seeded "5.00 off over 50.00" tier qualifies on its own.
  await waitForText(store, '#explain', '5.00 off over 50.00 — Applied');
  await store.type('input[name=code]', ids.code);
  await store.click('#apply-code');
  await waitForText(store, '#explain', `Code ${ids.code} — Applied`);
  // 20% of the cart, rounded to the minor unit as the API computes it.
  const expected = await asAdmin('POST', '/v1/validations', {
    customer: { id: ids.anna }, order: { amount: subtotal, items: [{ product_id: coffee.id, quantity: 3, price: coffee.price, amount: subtotal }] },
    redeemables: [{ object: 'voucher', id: ids.code }],
  });
  assert.equal(expected.order.total_discount_amount, Math.round(subtotal * 0.2));
  const discount = await waitForText(store, '#discount', (expected.order.total_discount_amount / 100).toFixed(2));
  assert.equal(discount, `−${(expected.order.total_discount_amount / 100).toFixed(2)}`);
  assert.equal(await textOf(store, '#total'), ((subtotal - expected.order.total_discount_amount) / 100).toFixed(2));
  const skippedLines = await store.$$eval('#explain li[data-status=SKIPPED]', (els) => els.map((el) => el.textContent));
  const skipped = skippedLines.find((t) => t.includes('5.00 off over 50.00')) || `none in ${skippedLines}`;
  assert.match(skipped, /Spend and save: 5\.00 off over 50\.00 — Skipped/);
  assert.match(skipped, /exclusive/i);
  // The promotion the cart is too small for says so, in the rule's own words.
  assert.match(await textOf(store, '#explain'), /15\.00 off over 150\.00 — Not applicable: Spend more than 150\.00/);
  assert.match(await textOf(store, '.calls'), /POST \/v1\/validations → 200/);
  await checkAccessibility(store, 'demo-store');
  await shot(store, '10-demo-store');

  await store.click('#redeem');
  await waitForText(store, '#redeemed', 'Redeemed');
  assert.match(await textOf(store, '#redeemed'), new RegExp(`−${(expected.order.total_discount_amount / 100).toFixed(2)}`));
  await shot(store, '11-demo-redeemed');
  // Brought to the front without a reload: its 2-second polling shows the redemption.
  await home.bringToFront();
  const after = await waitForChange(home, '[data-testid=total-redemptions]', before, 20000);
  assert.equal(Number(after), Number(before) + 1);
  await waitForText(home, 'main table caption', 'Latest redemptions');
  assert.match(await textOf(home, 'main'), new RegExp(ids.code));
  await shot(home, '12-home-live');

  // Roll back from the demo store.
  await store.bringToFront();
  await store.click('#rollback');
  await waitForText(store, '#rolled-back', 'Rolled back');
  assertNoProblems(store);
  assertNoProblems(home);
  await store.close();
  await home.close();
});

test('a restricted user sees only the campaigns of its store', async () => {
  await go(page, '#/areas');
  await fill(page, '#new-area input[name=name]', 'France');
  await page.click('#new-area button[type=submit]');
  await page.waitForSelector('section[aria-label=France] input[name=name]');
  await page.type('section[aria-label=France] input[name=name]', 'Lyon');
  await page.click('section[aria-label=France] form button');
  await waitForText(page, 'section[aria-label=France] table', 'Lyon');
  const area = (await asAdmin('GET', '/v1/areas')).data.find((a) => a.name === 'France');
  const lyon = (await asAdmin('GET', `/v1/areas/${area.id}/stores`)).data.find((s) => s.name === 'Lyon');
  // Assign the copy to Lyon through the edit form (reach), as a marketer would.
  await go(page, `#/campaigns/${ids.copy}/edit`);
  await page.select('select[name=access_settings]', `store:${lyon.id}`);
  await page.click('main form button[type=submit]');
  await page.waitForFunction((id) => location.hash === `#/campaigns/${id}`, {}, ids.copy);
  await go(page, '#/areas');
  await waitForText(page, 'section[aria-label=France] table', 'Spring exclusive (copy)');
  await checkAccessibility(page, 'areas');
  await shot(page, '13-areas');

  runCli(bin, ['users', 'create', '--db', srv.dbUrl, '--email', RESTRICTED.email, '--role', 'restricted', '--store', lyon.id], `${RESTRICTED.password}\n`);
  // The areas screen shows the user with its store.
  await go(page, '#/areas');
  await waitForText(page, 'section[aria-label=France] table', RESTRICTED.email);
  const context = await browser.createBrowserContext();
  const restricted = await newPage(context);
  await restricted.bringToFront();
  await restricted.goto(`${srv.url}/dashboard/`, { waitUntil: 'domcontentloaded' });
  await restricted.waitForSelector('input[name=email]');  // drawn once the session check answers
  await restricted.type('input[name=email]', RESTRICTED.email);
  await restricted.type('input[name=password]', RESTRICTED.password);
  await restricted.keyboard.press('Enter');
  await waitForText(restricted, 'header .who', 'restricted');
  await go(restricted, '#/campaigns');
  await waitForText(restricted, 'main [role=status]', '1 campaign');
  const listed = await textOf(restricted, 'main table');
  assert.match(listed, /Spring exclusive \(copy\)/);
  assert.doesNotMatch(listed, /Flash sale/);
  assert.doesNotMatch(listed, /Spring exclusive\s*Discount/);
  await shot(restricted, '14-restricted-campaigns');
  // It creates campaigns within its store: the reach picker offers its own assignment.
  await go(restricted, '#/campaigns/new');
  await fill(restricted, 'input[name=name]', 'Lyon weekend');
  await fill(restricted, 'input[name="voucher.code_config.pattern"]', 'LYON-###');
  await restricted.select('select[name=access_settings]', `store:${lyon.id}`);
  await restricted.click('form button[type=submit]');
  await restricted.waitForFunction(() => /#\/campaigns\/camp_/.test(location.hash) ||
    [...document.querySelectorAll('.field-error')].some((e) => !e.hidden));
  const formErrors = await restricted.$$eval('.field-error', (els) => els.filter((e) => !e.hidden).map((e) => e.textContent));
  assert.deepEqual(formErrors, []);
  const made = await asAdmin('GET', `/v1/campaigns/${decodeURIComponent(restricted.url().split('#/campaigns/')[1])}?expand=access_settings_assignments`);
  assert.equal(made.name, 'Lyon weekend');
  assert.deepEqual(made.access_settings_assignments.data.map((a) => a.area_store_id), [lyon.id]);
  assertNoProblems(restricted);
  await context.close();
});

test('a viewer reads but is offered no change; the keyboard moves through the nav and the tabs', async () => {
  runCli(bin, ['users', 'create', '--db', srv.dbUrl, '--email', 'viewer@example.com', '--role', 'viewer'], 'read only viewer\n');
  const context = await browser.createBrowserContext();
  const viewer = await newPage(context);
  await viewer.bringToFront();
  await viewer.goto(`${srv.url}/dashboard/`, { waitUntil: 'domcontentloaded' });
  await viewer.waitForSelector('input[name=email]');
  await viewer.type('input[name=email]', 'viewer@example.com');
  await viewer.type('input[name=password]', 'read only viewer');
  await viewer.keyboard.press('Enter');
  await waitForText(viewer, 'header .who', 'viewer');
  // Keyboard only: Tab to the "Campaigns" link of the navigation and press Enter.
  let onCampaigns = false;
  for (let i = 0; i < 12 && !onCampaigns; i++) {
    await viewer.keyboard.press('Tab');
    onCampaigns = await viewer.evaluate(() => document.activeElement?.textContent === 'Campaigns');
  }
  assert.ok(onCampaigns, 'the Campaigns link is reachable with Tab');
  await viewer.keyboard.press('Enter');
  await viewer.waitForFunction(() => location.hash === '#/campaigns');
  await waitForText(viewer, 'main [role=status]', 'campaign');
  assert.equal(await viewer.$('a[href="#/campaigns/new"]'), null, 'no "New campaign" for a viewer');
  await viewer.goto(`${srv.url}/dashboard/#/campaigns/${ids.copy}`, { waitUntil: 'domcontentloaded' });
  await waitForText(viewer, 'h1', 'Spring exclusive (copy)');
  const labels = await viewer.$$eval('.actions button, .actions a', (els) => els.map((el) => el.textContent));
  assert.deepEqual(labels, ['Export codes (CSV)']);
  // The tabs follow the arrow keys.
  await viewer.focus('.tabs button[aria-selected=true]');
  await viewer.keyboard.press('ArrowRight');
  await viewer.waitForFunction(() => document.activeElement?.textContent === 'Codes' && document.activeElement.getAttribute('aria-selected') === 'true');
  await waitForText(viewer, '#tabpanel', 'Codes (');
  await checkAccessibility(viewer, 'viewer-campaign');
  await shot(viewer, '14b-viewer');
  // Even a write the page would not offer is refused by the server for this session.
  const refused = await viewer.evaluate(async () => (await fetch('/v1/customers', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"source_id":"x"}' })).status);
  assert.equal(refused, 403);
  assertNoProblems(viewer);
  await context.close();
});

test('locations are drawn on the plain map; export and bin work from the campaign page', async () => {
  await asAdmin('POST', '/v1/locations', { name: 'Old town', shape: { type: 'circle', format: 'distance', distance: { center: 'geo:45.7640,4.8357', radius: '2 km' } } });
  await asAdmin('POST', '/v1/locations', { name: 'Park', shape: { type: 'polygon', format: 'geojson', geojson: { type: 'Polygon', coordinates: [[[4.80, 45.75], [4.86, 45.75], [4.86, 45.79], [4.80, 45.75]]] } } });
  await go(page, '#/locations');
  await page.waitForSelector('main svg ellipse');
  await page.waitForSelector('main svg polygon');
  await checkAccessibility(page, 'locations');
  await shot(page, '15-locations');

  // The demo store's validations of the code are on the campaign's summary and its chart.
  const summary = await asAdmin('GET', `/v1/campaigns/${ids.spring}/summary`);
  assert.ok(summary.validations_succeeded >= 1, JSON.stringify(summary));
  await go(page, `#/campaigns/${ids.spring}`);
  await waitForText(page, '#tabpanel', 'Validations per day');
  assert.match(await page.$eval('#tabpanel figure svg', (el) => el.getAttribute('aria-label')), /Valid: [1-9]/);
  await shot(page, '15b-campaign-charts');
  const buttons = await page.$$('.actions button');
  const names = await Promise.all(buttons.map((b) => b.evaluate((el) => el.textContent)));
  await buttons[names.indexOf('Export codes (CSV)')].click();
  await waitForText(page, 'main', 'Export done');
  const href = await page.$eval('main a[download]', (a) => a.href);
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.match(csv, new RegExp(ids.code));
  assert.equal(csv.trim().split('\n').length, 6, csv);
  await shot(page, '16-export');

  page.on('dialog', (d) => d.accept());
  const again = await page.$$('.actions button');
  const labels = await Promise.all(again.map((b) => b.evaluate((el) => el.textContent)));
  await again[labels.indexOf('Delete to bin')].click();
  await page.waitForFunction(() => location.hash === '#/bin');
  await waitForText(page, 'main table', 'Spring exclusive');
  await checkAccessibility(page, 'bin');
  await shot(page, '17-bin');
  // Purge: gone for good.
  const rows = await page.$$('main tbody tr');
  for (const row of rows) {
    if ((await row.evaluate((el) => el.textContent)).includes('Spring exclusive')) {
      await (await row.$('button')).click();
      break;
    }
  }
  await page.waitForFunction(() => !document.querySelector('main table').textContent.includes('Spring exclusive'));
  const gone = await fetch(`${srv.url}/v1/campaigns/${ids.spring}`, { headers: { 'X-App-Id': srv.appId, 'X-App-Token': srv.appToken } });
  assert.equal(gone.status, 404);
  assertNoProblems(page);
});
