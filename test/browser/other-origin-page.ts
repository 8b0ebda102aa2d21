import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A page on another origin (same host, another port) that tries to use the app's refresh cookie:
 * a no-cors fetch, a CORS fetch carrying the CSRF token it can read (cookies are not separated
 * by port), and a plain HTML form. Its findings are left in `window.findings`.
 */
function pageFor(appOrigin: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Another origin</title>
<form id="refresh-form" method="post" action="${appOrigin}/auth/refresh" enctype="text/plain"><input name="a" value="b"></form>
<script>
window.findings = { cookie: document.cookie };
const csrf = (document.cookie.match(/(?:^|; )(?:__Host-)?csrf=([^;]+)/) || [])[1] || '';
async function attempt(name, path, init) {
  try {
    const response = await fetch('${appOrigin}' + path, { method: 'POST', credentials: 'include', ...init });
    window.findings[name] = response.type === 'opaque' ? 'opaque' : response.status;
  } catch (error) {
    window.findings[name] = 'blocked';
  }
}
(async () => {
  window.findings.csrfSeen = csrf !== '';
  await attempt('noCorsRefresh', '/auth/refresh', { mode: 'no-cors', headers: { 'X-CSRF-Token': csrf } });
  await attempt('corsRefresh', '/auth/refresh', { headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: '{}' });
  await attempt('noCorsLogout', '/auth/logout', { mode: 'no-cors', headers: { 'X-CSRF-Token': csrf } });
  await attempt('corsLogoutAll', '/auth/logout-all', { headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: '{}' });
  window.findings.done = true;
})();
</script>`;
}

export interface OtherOriginSite {
  url: string;
  close(): Promise<void>;
}

/** Serves the page on 127.0.0.1 at a port of its own; the test opens it as http://localhost:<port>/. */
export async function startOtherOriginSite(appOrigin: string): Promise<OtherOriginSite> {
  const server: Server = createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(pageFor(appOrigin));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
