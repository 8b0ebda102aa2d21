// The demo's sessions page. The access token lives in this closure only: never in localStorage,
// sessionStorage or a cookie a script can read. The refresh token is in an HttpOnly cookie the
// page never sees; a reload restores the session through it.
'use strict';

(() => {
  // The library's default cookie mode: the CSRF cookie is __Host-csrf (plain "csrf" when the demo
  // runs with secure: false), echoed in the X-CSRF-Token header on refresh and logout.
  const CSRF_COOKIES = ['__Host-csrf', 'csrf'];
  const CSRF_HEADER = 'X-CSRF-Token';
  const SESSION_ENDED = 'Your session has ended. Please log in again.';

  let accessToken = null;
  let refreshing = null;

  const $ = (id) => document.getElementById(id);

  function csrfToken() {
    for (const part of document.cookie.split(';')) {
      const eq = part.indexOf('=');
      const name = part.slice(0, eq).trim();
      if (eq > 0 && CSRF_COOKIES.includes(name)) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  function notify(message, kind) {
    const notice = $('notice');
    notice.textContent = message || '';
    notice.hidden = !message;
    notice.classList.toggle('error', kind === 'error');
  }

  async function send(method, path, { body, auth = false, csrf = false } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
    const token = csrf ? csrfToken() : undefined;
    if (token) headers[CSRF_HEADER] = token;
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  }

  async function messageOf(response) {
    try {
      const body = await response.json();
      return Array.isArray(body.message) ? body.message.join('; ') : body.message || `HTTP ${response.status}`;
    } catch {
      return `HTTP ${response.status}`;
    }
  }

  /** One refresh at a time: two concurrent ones would replay a rotated token and end the session. */
  function refresh() {
    refreshing ??= (async () => {
      if (!csrfToken()) return false;
      const response = await send('POST', '/auth/refresh', { body: {}, csrf: true });
      if (!response.ok) return false;
      accessToken = (await response.json()).accessToken;
      return true;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  class SessionEnded extends Error {}

  /** An authenticated call: on a 401 it refreshes once and retries; if that fails, the session is over. */
  async function api(method, path, options = {}) {
    let response = await send(method, path, { ...options, auth: true });
    if (response.status === 401 && (await refresh())) response = await send(method, path, { ...options, auth: true });
    if (response.status === 401) {
      accessToken = null;
      showSignedOut(SESSION_ENDED, 'error');
      throw new SessionEnded();
    }
    return response;
  }

  function describeDevice(userAgent) {
    if (!userAgent) return 'Unknown device';
    const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chromium' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
    const os = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : 'another system';
    return `${browser} on ${os}`;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function renderSessions(sessions) {
    const tbody = $('sessions').tBodies[0];
    tbody.replaceChildren();
    for (const session of sessions) {
      const row = tbody.insertRow();
      row.dataset.sessionId = session.id;
      if (session.current) row.dataset.current = 'true';
      cell(row, describeDevice(session.userAgent)).title = session.userAgent || '';
      cell(row, session.ip || '');
      cell(row, new Date(session.createdAt).toLocaleString());
      cell(row, new Date(session.lastUsedAt).toLocaleString());
      if (session.current) {
        cell(row, 'This browser', 'this-browser');
      } else {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Revoke';
        button.addEventListener('click', () => act(() => revoke(session.id)));
        row.insertCell().append(button);
      }
    }
  }

  async function loadSessions() {
    const response = await api('GET', '/auth/sessions');
    if (!response.ok) throw new Error(await messageOf(response));
    renderSessions(await response.json());
  }

  async function showSignedIn() {
    const me = await api('GET', '/me');
    if (!me.ok) throw new Error(await messageOf(me));
    $('user-email').textContent = (await me.json()).email;
    await loadSessions();
    $('signed-out').hidden = true;
    $('signed-in').hidden = false;
  }

  function showSignedOut(message, kind) {
    $('signed-in').hidden = true;
    $('signed-out').hidden = false;
    $('password').value = '';
    notify(message, kind);
  }

  async function login(email, password) {
    const response = await send('POST', '/auth/login', { body: { email, password } });
    if (!response.ok) throw new Error(await messageOf(response));
    const pair = await response.json();
    if (pair.refreshToken) {
      // Body mode: this page would have to keep the refresh token in script reach, which it never does.
      throw new Error('This page needs cookie mode: start the demo with AUTH_COOKIE_MODE=true.');
    }
    accessToken = pair.accessToken;
    notify('');
    await showSignedIn();
  }

  async function register(email, password) {
    const response = await send('POST', '/auth/register', { body: { email, password } });
    if (!response.ok) throw new Error(await messageOf(response));
    await login(email, password);
  }

  async function revoke(sessionId) {
    const response = await api('DELETE', `/auth/sessions/${encodeURIComponent(sessionId)}`);
    if (!response.ok && response.status !== 404) throw new Error(await messageOf(response));
    await loadSessions();
  }

  async function logout(path, message) {
    const response = await api('POST', path, { body: {}, csrf: true });
    if (!response.ok) throw new Error(await messageOf(response));
    accessToken = null;
    showSignedOut(message);
  }

  /** Runs a user action; a failure is shown, a session that ended has already sent the page back to the form. */
  async function act(action) {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof SessionEnded)) notify(error.message, 'error');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('credentials').addEventListener('submit', (event) => {
      event.preventDefault();
      act(() => login($('email').value, $('password').value));
    });
    $('register').addEventListener('click', () => act(() => register($('email').value, $('password').value)));
    $('reload-sessions').addEventListener('click', () => act(loadSessions));
    $('logout').addEventListener('click', () => act(() => logout('/auth/logout', 'You are logged out.')));
    $('logout-all').addEventListener('click', () => act(() => logout('/auth/logout-all', 'You are logged out on every device.')));
    act(async () => {
      if (await refresh()) await showSignedIn();
      else showSignedOut();
    });
  });
})();
