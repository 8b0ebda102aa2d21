import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { chromiumMissing, launchChromium, screenshotEverything } from './browser/chromium';
import { startOtherOriginSite } from './browser/other-origin-page';
import { testDatabases } from './support/databases';
import { createTestApp, testConfig } from './support/test-app';

const PASSWORD = 'correct horse battery';
const SESSION_ENDED = 'Your session has ended';

/** The demo page as a user sees it: labels, buttons and text, no knowledge of its script. */
class SessionsPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/`);
    await this.page.locator('#signed-in:not([hidden]), #signed-out:not([hidden])').waitFor();
  }

  async signIn(email: string, button: 'Log in' | 'Register') {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(PASSWORD);
    await this.page.getByRole('button', { name: button, exact: true }).click();
    await this.signedIn();
  }

  signedIn() {
    return this.page.locator('#signed-in').waitFor({ state: 'visible' });
  }

  async atTheForm() {
    await this.page.getByRole('button', { name: 'Log in', exact: true }).waitFor({ state: 'visible' });
    await this.page.getByLabel('Email').waitFor({ state: 'visible' });
  }

  notice() {
    return this.page.locator('#notice').innerText();
  }

  email() {
    return this.page.locator('#user-email').innerText();
  }

  /** Waits for exactly `count` rows, then returns them: id, whether it is this browser, whether it can be revoked. */
  async sessions(count: number) {
    await this.page.waitForFunction((n) => document.querySelectorAll('#sessions tbody tr').length === n, count);
    return this.page.locator('#sessions tbody tr').evaluateAll((rows) =>
      rows.map((row) => ({
        id: (row as HTMLElement).dataset.sessionId!,
        thisBrowser: row.textContent!.includes('This browser'),
        revocable: row.querySelector('button')?.textContent === 'Revoke',
        cells: [...(row as HTMLTableRowElement).cells].map((cell) => cell.textContent),
      })),
    );
  }

  click(name: string) {
    return this.page.getByRole('button', { name, exact: true }).click();
  }

  /** What scripts on the page can reach: the cookies, both storages. */
  readableState() {
    return this.page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }));
  }
}

const missing = chromiumMissing();
if (missing) console.warn(`Browser suite skipped: ${missing}`);
const describeInBrowser = missing ? describe.skip : describe;

describeInBrowser.each(['express', 'fastify'] as const)('sessions page in Chromium on %s', (adapter) => {
  let app: INestApplication;
  let origin: string;
  let browser: Browser;
  let drop: () => Promise<void>;
  let devices: BrowserContext[] = [];
  let counter = 0;

  beforeAll(async () => {
    const database = await testDatabases()[0].create();
    drop = database.drop;
    app = await createTestApp(testConfig(database.url, { httpAdapter: adapter, cookieMode: true }));
    await app.listen(0, '127.0.0.1');
    // http://localhost is a secure context to Chromium: it keeps Secure and __Host-/__Secure- cookies there.
    origin = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  afterEach(async () => {
    for (const device of devices) await device.close();
    devices = [];
  });

  /** A device: a browser context of its own (its own cookies), with the page open. */
  async function device(): Promise<SessionsPage> {
    const context = await browser.newContext();
    devices.push(context);
    const page = new SessionsPage(await context.newPage());
    await page.open(origin);
    return page;
  }

  const newEmail = () => `browser-${adapter}-${Date.now()}-${counter++}@example.com`;

  /** A browser test that leaves a screenshot of every open page when it fails. */
  function browserIt(name: string, run: () => Promise<void>) {
    it(name, async () => {
      try {
        await run();
      } catch (error) {
        const paths = await screenshotEverything(browser, `${adapter}-${name}`);
        if (error instanceof Error) error.message += `\nScreenshots: ${paths.join(', ') || 'none'}`;
        throw error;
      }
    });
  }

  browserIt('two devices of one user each see both sessions, know their own, and a revoked one is back at the form', async () => {
    const email = newEmail();
    const laptop = await device();
    const phone = await device();
    await laptop.signIn(email, 'Register');
    await phone.signIn(email, 'Log in');
    expect(await phone.email()).toBe(email);
    await laptop.click('Refresh list');

    const onLaptop = await laptop.sessions(2);
    const onPhone = await phone.sessions(2);
    for (const rows of [onLaptop, onPhone]) {
      expect(rows.filter((r) => r.thisBrowser)).toHaveLength(1);
      expect(rows.filter((r) => r.revocable)).toHaveLength(1);
      expect(rows.find((r) => r.thisBrowser)!.revocable).toBe(false);
      expect(rows.every((r) => r.cells[0]!.includes('Chromium') && r.cells[1] !== '' && r.cells[2] !== '' && r.cells[3] !== '')).toBe(true);
    }
    const laptopSession = onLaptop.find((r) => r.thisBrowser)!.id;
    const phoneSession = onPhone.find((r) => r.thisBrowser)!.id;
    expect(laptopSession).not.toBe(phoneSession);
    expect(onLaptop.find((r) => r.revocable)!.id).toBe(phoneSession);

    await laptop.page.locator(`tr[data-session-id="${phoneSession}"]`).getByRole('button', { name: 'Revoke' }).click();
    expect((await laptop.sessions(1))[0]).toMatchObject({ id: laptopSession, thisBrowser: true });

    await phone.click('Refresh list');
    await phone.atTheForm();
    expect(await phone.notice()).toContain(SESSION_ENDED);
    await phone.page.reload();
    await phone.atTheForm();
    expect(await laptop.email()).toBe(email);
  });

  browserIt('a reload keeps the session, through the refresh cookie alone', async () => {
    const email = newEmail();
    const laptop = await device();
    await laptop.signIn(email, 'Register');
    const [before] = await laptop.sessions(1);
    await laptop.page.reload();
    await laptop.signedIn();
    expect(await laptop.email()).toBe(email);
    expect((await laptop.sessions(1))[0].id).toBe(before.id);
  });

  browserIt('"Log out everywhere" ends both devices', async () => {
    const email = newEmail();
    const laptop = await device();
    const phone = await device();
    await laptop.signIn(email, 'Register');
    await phone.signIn(email, 'Log in');
    await laptop.click('Log out everywhere');
    await laptop.atTheForm();
    expect(await laptop.notice()).toContain('logged out on every device');
    await phone.click('Refresh list');
    await phone.atTheForm();
    expect(await phone.notice()).toContain(SESSION_ENDED);
    for (const page of [laptop, phone]) {
      await page.page.reload();
      await page.atTheForm();
    }
  });

  browserIt('"Log out" ends this device only and clears its cookies', async () => {
    const email = newEmail();
    const laptop = await device();
    const phone = await device();
    await laptop.signIn(email, 'Register');
    await phone.signIn(email, 'Log in');
    await laptop.click('Log out');
    await laptop.atTheForm();
    expect(await devices[0].cookies()).toEqual([]);
    await laptop.page.reload();
    await laptop.atTheForm();
    await phone.click('Refresh list');
    expect(await phone.sessions(1)).toEqual([expect.objectContaining({ thisBrowser: true })]);
  });

  browserIt('keeps the tokens out of every script: HttpOnly refresh cookie, access token in memory only', async () => {
    const laptop = await device();
    await laptop.signIn(newEmail(), 'Register');
    const cookies = await devices[0].cookies();
    expect(cookies.find((c) => c.name === '__Secure-refresh')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth' });
    expect(cookies.find((c) => c.name === '__Host-csrf')).toMatchObject({ httpOnly: false, secure: true, sameSite: 'Strict', path: '/' });
    const readable = await laptop.readableState();
    expect(readable.cookie).toMatch(/^__Host-csrf=[\w-]+$/);
    expect(readable.cookie).not.toContain('rt.');
    expect(readable).toMatchObject({ local: 0, session: 0 });
    const csp = (await laptop.page.request.get(`${origin}/`)).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
  });

  browserIt('a page on another origin cannot refresh or log out through the cookie, nor read the refresh token', async () => {
    const laptop = await device();
    await laptop.signIn(newEmail(), 'Register');
    const db = app.get(DataSource);
    const before = JSON.stringify(await db.query('SELECT * FROM jwt_sessions ORDER BY id'));

    const site = await startOtherOriginSite(origin);
    try {
      const other = await devices[0].newPage();
      await other.goto(site.url);
      await other.waitForFunction(() => (window as unknown as { findings?: { done?: boolean } }).findings?.done === true);
      const findings = await other.evaluate(() => (window as unknown as { findings: Record<string, unknown> }).findings);
      // Cookies are not separated by port: the other origin sees the CSRF cookie, never the refresh token…
      expect(findings.csrfSeen).toBe(true);
      expect(String(findings.cookie)).not.toContain('rt.');
      // …and still cannot use it: no-cors requests carry no custom header, CORS ones die at the preflight.
      expect(findings).toMatchObject({ noCorsRefresh: 'opaque', corsRefresh: 'blocked', noCorsLogout: 'opaque', corsLogoutAll: 'blocked' });
      // A plain form post sends the SameSite=Strict cookie (same site, other port) and is refused by origin.
      const [formResponse] = await Promise.all([other.waitForResponse(`${origin}/auth/refresh`), other.locator('#refresh-form').evaluate((form: HTMLFormElement) => form.submit())]);
      expect(formResponse.status()).toBe(403);
      expect(JSON.stringify(await db.query('SELECT * FROM jwt_sessions ORDER BY id'))).toBe(before);
    } finally {
      await site.close();
    }
    await laptop.click('Refresh list');
    expect(await laptop.sessions(1)).toEqual([expect.objectContaining({ thisBrowser: true })]);
    await laptop.page.reload();
    await laptop.signedIn();
  });
});
