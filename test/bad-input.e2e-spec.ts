// Bodies an attacker sends (deep nesting, huge arrays, wrong types, duplicate and prototype keys,
// other content types, broken Unicode, NUL bytes, oversized and over-parameterised forms) get a
// clean 4xx that names no internals, and nothing of them, nor a stack trace, reaches the log.
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { testMatrix } from './support/databases';
import { CapturingLogger, captureProcessOutput } from './support/log-capture';
import { createTestApp, testConfig } from './support/test-app';

const PASSWORD = 'Secret-Password-Canary-42';
const EMAIL = 'canary-mailbox@example.com';

interface Attack {
  name: string;
  path: '/auth/login' | '/auth/register' | '/auth/refresh';
  contentType: string;
  body: string;
}

const json = (value: unknown) => JSON.stringify(value);
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const form = (pairs: string[]) => pairs.join('&');

function attacks(): Attack[] {
  const list: Array<Omit<Attack, 'contentType'> & { contentType?: string }> = [];
  for (const path of ['/auth/login', '/auth/register'] as const) {
    list.push(
      { name: 'an email nested 5,000 arrays deep', path, body: `{"email":${deepArray(5000)},"password":"${PASSWORD}"}` },
      { name: 'a password nested 5,000 objects deep', path, body: `{"email":"${EMAIL}","password":${deepObject(5000)}}` },
      { name: 'a body nested 40 objects deep', path, body: deepObject(40) },
      { name: 'an email that is an array of 20,000 strings', path, body: json({ email: Array(20_000).fill(EMAIL), password: PASSWORD }) },
      { name: 'numbers for strings', path, body: json({ email: 12345, password: 67890 }) },
      { name: 'objects for strings', path, body: json({ email: { $gt: '' }, password: { $ne: null } }) },
      { name: 'booleans and null', path, body: json({ email: true, password: null }) },
      { name: 'a top-level array', path, body: json([EMAIL, PASSWORD]) },
      { name: 'a top-level string', path, body: json(PASSWORD) },
      { name: 'a top-level null', path, body: 'null' },
      { name: 'duplicate keys', path, body: `{"email":"${EMAIL}","email":"other@example.com","password":"${PASSWORD}","password":"x"}` },
      { name: '__proto__ key', path, body: `{"__proto__":{"isAdmin":true},"email":"${EMAIL}","password":"${PASSWORD}"}` },
      { name: 'constructor.prototype key', path, body: `{"constructor":{"prototype":{"isAdmin":true}},"email":"${EMAIL}","password":"${PASSWORD}"}` },
      { name: 'a lone UTF-16 surrogate in the email', path, body: `{"email":"canary\\ud800@example.com","password":"${PASSWORD}"}` },
      { name: 'a lone UTF-16 surrogate in the password', path, body: `{"email":"${EMAIL}","password":"${PASSWORD}\\udc00"}` },
      { name: 'a NUL byte in the email', path, body: `{"email":"canary\\u0000mailbox@example.com","password":"${PASSWORD}"}` },
      { name: 'a NUL byte in a key', path, body: `{"email":"${EMAIL}","password":"${PASSWORD}","x\\u0000":1}` },
      { name: 'truncated JSON', path, body: `{"email":"${EMAIL}","password":"${PASSWORD}` },
      { name: 'a body over the size limit', path, body: json({ email: EMAIL, password: PASSWORD, pad: 'x'.repeat(2_000_000) }) },
      { name: 'text/plain', path, contentType: 'text/plain', body: `email=${EMAIL}&password=${PASSWORD}` },
      { name: 'application/xml', path, contentType: 'application/xml', body: `<login><email>${EMAIL}</email><password>${PASSWORD}</password></login>` },
      { name: 'a form with 1,500 parameters', path, contentType: 'application/x-www-form-urlencoded', body: form([...Array.from({ length: 1500 }, (_, i) => `k${i}=v`), `email=${EMAIL}`, `password=${PASSWORD}`]) },
      { name: 'a form nested 40 levels deep', path, contentType: 'application/x-www-form-urlencoded', body: form([`email${'[a]'.repeat(40)}=${EMAIL}`, `password=${PASSWORD}`]) },
      { name: 'a form with a NUL byte', path, contentType: 'application/x-www-form-urlencoded', body: form([`email=canary%00mailbox@example.com`, `password=${PASSWORD}`]) },
    );
  }
  list.push(
    { name: 'a refresh token nested 5,000 arrays deep', path: '/auth/refresh', body: `{"refreshToken":${deepArray(5000)}}` },
    { name: 'a refresh token with a NUL byte', path: '/auth/refresh', body: `{"refreshToken":"rt.${PASSWORD}\\u0000"}` },
    { name: 'a refresh token with a lone surrogate', path: '/auth/refresh', body: `{"refreshToken":"rt.${PASSWORD}\\ud800"}` },
  );
  return list.map((attack) => ({ contentType: 'application/json', ...attack }));
}

describe.each(testMatrix())('bad input on $label', ({ database, adapter }) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    app = await createTestApp(testConfig(created.url, { httpAdapter: adapter }), logger);
    // The account the canaries name exists, so a request that got through would reach the hash.
    await request(app.getHttpServer()).post('/auth/register').send({ email: EMAIL, password: PASSWORD }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it.each(attacks())('$path with $name: a clean 4xx, nothing of it logged', async (attack) => {
    logger.lines.length = 0;
    const output = captureProcessOutput();
    let res: request.Response;
    try {
      res = await request(app.getHttpServer()).post(attack.path).set('Content-Type', attack.contentType).send(attack.body);
    } finally {
      output.restore();
    }
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.statusCode).toBe(res.status);
    expect(res.text).not.toMatch(/RangeError|TypeError|URIError|QueryFailed|stack|node_modules|\bat \S+ \(/);
    const logged = [...logger.lines, ...output.lines].join('\n');
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain('canary');
    expect(logged).not.toMatch(/^\s+at /m);
  });
});
