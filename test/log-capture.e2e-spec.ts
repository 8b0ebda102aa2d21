// Every line the app writes through a whole auth cycle (its logger, console, stdout, stderr),
// failures included, must be free of tokens, their parts, the JWT secret, passwords and emails;
// and every authentication outcome leaves one structured audit line.
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { testMatrix } from './support/databases';
import { CapturingLogger, captureProcessOutput } from './support/log-capture';
import { createTestApp, TEST_SECRET, testConfig } from './support/test-app';

const PASSWORD = 'first password 123';
const NEW_PASSWORD = 'second password 456';
const WRONG_PASSWORD = 'not the password 789';
const USER_AGENT = 'log-capture-agent/1.0';

interface AuditEntry {
  time: string;
  event: string;
  outcome: string;
  reason?: string;
  userId?: number | string;
  emailHash?: string;
  ip?: string;
  userAgent?: string;
}

/** The AuthAudit lines the logger received, parsed. */
function auditEntries(lines: string[]): AuditEntry[] {
  return lines.filter((line) => line.endsWith(' | AuthAudit')).map((line) => JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf(' | AuthAudit'))));
}

describe.each(testMatrix())('logs stay free of secrets on $label', ({ database, adapter }) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    app = await createTestApp(testConfig(created.url, { httpAdapter: adapter }), logger);
  });

  afterAll(async () => {
    const dataSource = app?.get(DataSource);
    if (dataSource && !dataSource.isInitialized) await dataSource.initialize(); // destroyed by the outage step
    await app?.close();
    await drop?.();
  });

  it('through register, login, refresh, reuse, password change, logout, logout-all and an outage', async () => {
    const http = () => {
      const agent = request(app.getHttpServer());
      return { get: (path: string) => agent.get(path).set('User-Agent', USER_AGENT), post: (path: string) => agent.post(path).set('User-Agent', USER_AGENT) };
    };
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const email = `logs-${Date.now()}@example.com`;
    const lockedEmail = `locked-${Date.now()}@example.com`;
    const unknownEmail = `unknown-${Date.now()}@example.com`;
    const accessTokens: string[] = [];
    const refreshTokens: string[] = [];
    const keep = (body: { accessToken?: string; refreshToken?: string }) => {
      if (body.accessToken) accessTokens.push(body.accessToken);
      if (body.refreshToken) refreshTokens.push(body.refreshToken);
      return body;
    };
    let passwordHashes: string[] = [];
    const output = captureProcessOutput();
    try {
      await http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      await http().post('/auth/register').send({ email, password: PASSWORD }).expect(409);
      await http().post('/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401);
      await http().post('/auth/login').send({ email: unknownEmail, password: WRONG_PASSWORD }).expect(401);
      // An account locked by ten failures
      await http().post('/auth/register').send({ email: lockedEmail, password: PASSWORD }).expect(201);
      for (let i = 0; i < 10; i++) await http().post('/auth/login').send({ email: lockedEmail, password: WRONG_PASSWORD }).expect(401);
      await http().post('/auth/login').send({ email: lockedEmail, password: PASSWORD }).expect(429);
      const first = keep((await http().post('/auth/login').send({ email, password: PASSWORD }).expect(200)).body);
      await http().get('/me').set(bearer(first.accessToken!)).expect(200);

      // Bad tokens of every kind
      const [h, p, s] = first.accessToken!.split('.');
      await http().get('/me').set(bearer(`${h}.${p}.${s.slice(0, -2)}AA`)).expect(401);
      await http().get('/me').set(bearer(`${h}.${p}`)).expect(401);
      await http().get('/me').set({ Authorization: `Bearer ${first.accessToken} ${first.accessToken}` }).expect(400);
      await http().get(`/me?access_token=${first.accessToken}`).expect(400);
      await http().get('/me').set(bearer(first.refreshToken!)).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: first.accessToken }).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: first.refreshToken, extra: first.accessToken }).expect(400);

      // Rotation, then reuse of the rotated token: the family is revoked and a warning logged
      const second = keep((await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body);
      await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
      await http().get('/me').set(bearer(second.accessToken!)).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);

      // Password change, wrong then right
      const third = keep((await http().post('/auth/login').send({ email, password: PASSWORD }).expect(200)).body);
      await http().post('/auth/change-password').set(bearer(third.accessToken!)).send({ currentPassword: WRONG_PASSWORD, newPassword: NEW_PASSWORD }).expect(401);
      const fourth = keep(
        (await http().post('/auth/change-password').set(bearer(third.accessToken!)).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }).expect(200)).body,
      );
      await http().get('/me').set(bearer(fourth.accessToken!)).expect(200);

      // Logout, logout-all
      await http().post('/auth/logout').set(bearer(fourth.accessToken!)).send({ refreshToken: fourth.refreshToken }).expect(204);
      await http().get('/me').set(bearer(fourth.accessToken!)).expect(401);
      const fifth = keep((await http().post('/auth/login').send({ email, password: NEW_PASSWORD }).expect(200)).body);
      await http().post('/auth/logout-all').set(bearer(fifth.accessToken!)).expect(204);
      await http().get('/me').set(bearer(fifth.accessToken!)).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: fifth.refreshToken }).expect(401);
      const sixth = keep((await http().post('/auth/login').send({ email, password: NEW_PASSWORD }).expect(200)).body);

      // An outage: the store cannot be read, so requests fail closed and errors get logged
      const dataSource = app.get(DataSource);
      passwordHashes = (await dataSource.query('SELECT password_hash AS h FROM users')).map((row: { h: string }) => row.h);
      await dataSource.destroy();
      for (const res of [
        await http().post('/auth/refresh').send({ refreshToken: sixth.refreshToken }),
        await http().post('/auth/change-password').set(bearer(sixth.accessToken!)).send({ currentPassword: NEW_PASSWORD, newPassword: PASSWORD }),
        await http().post('/auth/login').send({ email, password: NEW_PASSWORD }),
      ]) {
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.text).not.toContain(sixth.refreshToken!);
      }
    } finally {
      output.restore();
    }

    const captured = [...logger.lines, ...output.lines];
    const all = captured.join('\n');
    // The capture works: the reuse warning and the store error were seen.
    expect(all).toContain('Refresh token reuse detected');
    expect(all).toMatch(/Revocation store unavailable/);
    expect(accessTokens).toHaveLength(6);
    expect(refreshTokens).toHaveLength(6);

    // One audit line per outcome, each with time, IP and user agent; the typed email only as a hash.
    const audit = auditEntries(logger.lines);
    const userId = JSON.parse(Buffer.from(accessTokens[0].split('.')[1], 'base64url').toString()).sub;
    const has = (event: string, outcome: string, reason?: string) =>
      audit.filter((e) => e.event === event && e.outcome === outcome && (reason === undefined || e.reason === reason));
    expect(has('login', 'success').length).toBeGreaterThanOrEqual(4);
    expect(has('login', 'success').every((e) => e.userId !== undefined && e.emailHash === undefined)).toBe(true);
    expect(has('login', 'failure', 'invalid_credentials').some((e) => String(e.userId) === userId)).toBe(true);
    expect(has('login', 'failure', 'invalid_credentials').some((e) => e.userId === undefined && /^[0-9a-f]{24}$/.test(e.emailHash ?? ''))).toBe(true);
    expect(has('login', 'refused', 'too_many_attempts')).toHaveLength(1);
    expect(has('change-password', 'failure', 'wrong_current_password')).toHaveLength(1);
    expect(has('change-password', 'success')).toHaveLength(1);
    expect(has('refresh', 'failure', 'invalid_grant').length).toBeGreaterThanOrEqual(3);
    expect(has('revocation', 'success', 'refresh-reuse-detected').some((e) => String(e.userId) === userId)).toBe(true);
    for (const entry of audit) {
      expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
      if (entry.event === 'revocation') continue; // reported by the library, outside any request
      expect(entry.ip).toEqual(expect.stringMatching(/\S/));
      expect(entry.userAgent).toBe(USER_AGENT);
    }

    const secrets = new Map<string, string>([
      ['JWT secret', TEST_SECRET],
      ['JWT secret (base64)', Buffer.from(TEST_SECRET).toString('base64')],
      ['JWT secret (base64url)', Buffer.from(TEST_SECRET).toString('base64url')],
      ['password', PASSWORD],
      ['new password', NEW_PASSWORD],
      ['wrong password', WRONG_PASSWORD],
      ['email', email],
      ['locked email', lockedEmail],
      ['unknown email', unknownEmail],
    ]);
    passwordHashes.forEach((hash, i) => secrets.set(`password hash ${i}`, hash));
    accessTokens.forEach((token, i) => {
      const [, payload, signature] = token.split('.');
      secrets.set(`access token ${i}`, token);
      secrets.set(`access token ${i} payload`, payload);
      secrets.set(`access token ${i} signature`, signature);
    });
    refreshTokens.forEach((token, i) => {
      const [, , , secret, tag] = token.split('.');
      secrets.set(`refresh token ${i}`, token);
      secrets.set(`refresh token ${i} secret`, secret);
      secrets.set(`refresh token ${i} tag`, tag);
    });
    const leaks = [...secrets].filter(([, value]) => all.includes(value)).map(([name]) => name);
    expect(leaks).toEqual([]);
  });
});
