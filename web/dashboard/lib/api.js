// The API as the pages call it: same origin, the session cookie, the CSRF token on writes.
// No API key is ever held by a page. Every call is reported to `onCall` listeners (the demo
// store's "API calls" panel).

let csrfToken = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.key = body?.key || '';
    this.details = body?.details || '';
    this.body = body;
  }
}

export function onCall(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const started = performance.now();
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const call = { method, path, request: body, status: res.status, response: json ?? text,
                 ms: Math.round(performance.now() - started) };
  for (const l of listeners) l(call);
  if (!res.ok) throw new ApiError(res.status, json || { message: text });
  return json;
}

// The signed-in session, or null.
export async function currentSession() {
  try {
    const s = await api('GET', '/dashboard/api/session');
    csrfToken = s.csrf_token;
    return s;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

export async function signIn(email, password) {
  const s = await api('POST', '/dashboard/api/session', { email, password });
  csrfToken = s.csrf_token;
  return s;
}

export async function signOut() {
  await api('DELETE', '/dashboard/api/session');
  csrfToken = null;
}

// Query strings for list calls: {limit: 10, 'filters[name][conditions][$contains]': 'x'}.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Every item of a list, page by page (at most `max`).
export async function listAll(path, dataKey, max = 500) {
  const out = [];
  for (let page = 1; out.length < max; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api('GET', `${path}${sep}limit=100&page=${page}`);
    const items = r[dataKey] || r.data || [];
    out.push(...items);
    if (!r.has_more && items.length < 100) break;
    if (items.length === 0) break;
  }
  return out;
}
