// The dashboard: a hash-routed page over the /v1 API, signed in with a session cookie.
import { currentSession, signIn, signOut, ApiError } from './lib/api.js';
import { h, mount, field, formError, showError, clearErrors } from './lib/ui.js';
import { homePage } from './pages/home.js';
import { campaignsPage, campaignPage, campaignFormPage } from './pages/campaigns.js';
import { calendarPage } from './pages/calendar.js';
import { stackingPage, areasPage, locationsPage, publishPage, binPage } from './pages/orchestration.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let session = null;
let leave = null;  // the current page's clean-up (timers)
let renders = 0;   // a page that finishes loading after the user moved on is not shown

const routes = [
  [/^#?\/?$/, homePage, 'Home'],
  [/^#\/campaigns$/, campaignsPage, 'Campaigns'],
  [/^#\/campaigns\/new$/, campaignFormPage, 'Campaigns'],
  [/^#\/campaigns\/([^/]+)\/edit$/, campaignFormPage, 'Campaigns'],
  [/^#\/campaigns\/([^/]+)$/, campaignPage, 'Campaigns'],
  [/^#\/calendar$/, calendarPage, 'Calendar'],
  [/^#\/publish$/, publishPage, 'Publish'],
  [/^#\/stacking$/, stackingPage, 'Stacking'],
  [/^#\/areas$/, areasPage, 'Areas & stores'],
  [/^#\/locations$/, locationsPage, 'Locations'],
  [/^#\/bin$/, binPage, 'Bin'],
];
const nav = [['Home', '#/'], ['Campaigns', '#/campaigns'], ['Calendar', '#/calendar'],
  ['Publish', '#/publish'], ['Stacking', '#/stacking'], ['Areas & stores', '#/areas'],
  ['Locations', '#/locations'], ['Bin', '#/bin']];

function header(current) {
  mount(top,
    h('a', { class: 'brand', href: '#/' }, 'OpenPromo'),
    session ? h('nav', { 'aria-label': 'Main' }, h('ul', {}, nav.map(([label, href]) =>
      h('li', {}, h('a', { href, 'aria-current': label === current ? 'page' : null }, label))),
    h('li', {}, h('a', { href: '/demo/' }, 'Demo store')))) : null,
    session ? h('div', { class: 'who' },
      h('span', {}, `${session.user.email} (${session.user.role})`),
      h('button', { class: 'secondary', type: 'button', onclick: async () => {
        await signOut();
        session = null;
        location.hash = '#/';
        render();
      } }, 'Sign out')) : null);
}

function signInPage() {
  header(null);
  document.title = 'Sign in · OpenPromo';
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = formError();
  const form = h('form', { class: 'panel', 'aria-labelledby': 'signin-title', onsubmit: async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      session = await signIn(email.value, password.value);
      render();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(form, e, 'password');
    }
  } },
  h('h1', { id: 'signin-title' }, 'Sign in'),
  error,
  field('Email', email, { name: 'email' }),
  field('Password', password, { name: 'password' }),
  h('button', { type: 'submit' }, 'Sign in'),
  h('p', { class: 'hint' }, 'No user yet? On the server: ',
    h('code', {}, 'echo PASSWORD | build/bin/openpromo users create --email you@example.com --role admin')));
  mount(main, form);
  email.focus();
}

async function render() {
  if (leave) {
    leave();
    leave = null;
  }
  const mine = ++renders;
  if (!session) session = await currentSession();
  if (mine !== renders) return;
  if (!session) {
    signInPage();
    return;
  }
  const hash = location.hash || '#/';
  for (const [pattern, page, label] of routes) {
    const m = pattern.exec(hash);
    if (!m) continue;
    header(label);
    document.title = `${label} · OpenPromo`;
    const isCurrent = () => mine === renders;
    // A page renders into its own element, shown only if it is still the current one.
    const target = h('div');
    const ctx = { session, params: m.slice(1), main: target, isCurrent,
      onLeave: (fn) => { if (isCurrent()) leave = fn; else fn(); } };
    mount(main, h('p', { role: 'status' }, 'Loading…'));
    try {
      await page(ctx);
      if (isCurrent()) mount(main, target);
    } catch (e) {
      if (!isCurrent()) return;
      mount(main, h('h1', {}, 'Something went wrong'),
        h('p', { class: 'field-error', role: 'alert' }, e instanceof ApiError
          ? `${e.message}: ${e.details}` : String(e)));
      if (e instanceof ApiError && e.status === 401) {
        session = null;
        render();
      }
    }
    return;
  }
  header(null);
  mount(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Home')));
}

window.addEventListener('hashchange', () => {
  render();
  main.focus();
});
render();
