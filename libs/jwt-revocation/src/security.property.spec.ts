// Property-based security checks (fast-check): whatever arrives in an Authorization header, a
// query string or a token's header and claims, the library only ever throws its own
// BearerAuthException subclasses, never answers 5xx, and never authenticates a token whose
// signature it did not make.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Test, type TestingModule } from '@nestjs/testing';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { JwtRevocationTestingModule } from './testing/jwt-revocation-testing.module';
import { AccessTokenVerifier } from './access-tokens/access-token.verifier';
import { AuthTokenService } from './auth-token.service';
import { JwtRevocationGuard } from './guard/jwt-revocation.guard';
import { extractBearerToken, assertTokenShape, parseBearerHeader } from './access-tokens/bearer-token.parser';
import { BearerAuthException, InvalidTokenException } from './errors/bearer-auth.exceptions';

const SECRET = 'property-spec-secret-of-at-least-32-bytes';
const MAX_TOKEN_LENGTH = 4096;
const TOLERANCE = 5;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KEY_CHOOSING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'];
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Every error must be one of ours, below 500. Returns it for further checks. */
function expectOurRefusal(error: unknown): BearerAuthException {
  if (!(error instanceof BearerAuthException)) {
    throw new Error(`expected a BearerAuthException, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
  }
  expect(error.getStatus()).toBeLessThan(500);
  expect([400, 401]).toContain(error.getStatus());
  expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer( error="(invalid_token|invalid_request)")?$/);
  return error;
}

async function outcome<T>(run: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: BearerAuthException }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: expectOurRefusal(error) };
  }
}

// ---------- arbitraries ----------

type Signer = 'none' | 'empty' | 'random' | 'wrong-secret' | 'right-secret-hs512' | 'right-secret';

const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Headers: mostly objects with the fields attacks play with, sometimes any JSON at all. */
const headerArb = fc.oneof(
  fc.record(
    {
      alg: fc.oneof(
        fc.constantFrom('HS256', 'HS384', 'HS512', 'none', 'None', 'NONE', 'nOnE', 'RS256', 'ES256', 'EdDSA', 'PS256', '', 'hs256', 'HS256 '),
        anyJson,
      ),
      typ: fc.oneof(fc.constantFrom('JWT', 'at+jwt', 'refresh'), anyJson),
      kid: fc.oneof(fc.constantFrom('../../dev/null', "' OR 1=1 --", '__proto__', 'constructor', ''), fc.string(), anyJson),
      jwk: anyJson,
      jku: fc.oneof(fc.constant('http://127.0.0.1/jwks.json'), anyJson),
      x5u: anyJson,
      x5c: anyJson,
      crit: anyJson,
      b64: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  fc.constant({ alg: 'HS256', typ: 'at+jwt' }),
  anyJson,
);

const CLAIM_NAMES = ['sub', 'ver', 'typ', 'jti', 'iat', 'exp', 'nbf', 'sid', 'iss', 'aud', '__proto__', 'constructor'] as const;

/** Claims near a valid set (so acceptance is reachable), with fields replaced or dropped. */
function payloadArb(liveSessionId: string) {
  const base = () => ({ sub: '1', ver: 0, typ: 'access', jti: 'a-token-id', iat: now(), exp: now() + 900 });
  const claimValue = fc.oneof(
    anyJson,
    fc.constantFrom(
      '1', '2', 1, 0, -1, 0.5, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e300, '', 'access', 'refresh', 'Access', liveSessionId, 'x'.repeat(256),
    ),
    fc.integer({ min: -100_000, max: 100_000 }).map((delta) => now() + delta),
    fc.double(),
  );
  const nearValid = fc
    .tuple(fc.dictionary(fc.constantFrom(...CLAIM_NAMES), claimValue, { maxKeys: 4 }), fc.subarray([...CLAIM_NAMES], { maxLength: 3 }))
    .map(([overrides, dropped]) => {
      const claims: Record<string, unknown> = { ...base(), ...overrides };
      for (const name of dropped) delete claims[name];
      return claims;
    });
  return fc.oneof({ weight: 4, arbitrary: nearValid }, { weight: 1, arbitrary: anyJson });
}

/** A segment: usually JSON, sometimes raw bytes or text that is not JSON. */
const segmentOf = (value: unknown, raw: string | undefined) => b64url(raw ?? JSON.stringify(value) ?? 'undefined');
const rawSegmentArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('{', 'null', '[]', '"x"', '{"alg":"HS256","alg":"none"}')) },
);

function sign(input: string, signer: Signer): string {
  switch (signer) {
    case 'none':
      return '';
    case 'empty':
      return '';
    case 'random':
      return b64url(randomBytes(32));
    case 'wrong-secret':
      return b64url(createHmac('sha256', `${SECRET}-but-another`).update(input).digest());
    case 'right-secret-hs512':
      return b64url(createHmac('sha512', SECRET).update(input).digest());
    case 'right-secret':
      return b64url(createHmac('sha256', SECRET).update(input).digest());
  }
}

function tokenArb(liveSessionId: string, signers: Signer[]) {
  return fc
    .record({ header: headerArb, rawHeader: rawSegmentArb, payload: payloadArb(liveSessionId), rawPayload: rawSegmentArb, signer: fc.constantFrom(...signers) })
    .map(({ header, rawHeader, payload, rawPayload, signer }) => {
      const input = `${segmentOf(header, rawHeader)}.${segmentOf(payload, rawPayload)}`;
      return { token: `${input}.${sign(input, signer)}`, signer };
    });
}

/** Edits one character of a token: replace, insert or delete, from base64url and a few separators. */
const mutationArb = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  position: fc.nat(),
  char: fc.oneof(fc.constantFrom(...`${B64URL_ALPHABET}.=+/ ,`.split('')), fc.string({ minLength: 1, maxLength: 1 })),
});

function mutate(token: string, { kind, position, char }: { kind: string; position: number; char: string }): string {
  const at = position % (token.length + (kind === 'insert' ? 1 : 0));
  if (kind === 'replace') return token.slice(0, at) + char + token.slice(at + 1);
  if (kind === 'insert') return token.slice(0, at) + char + token.slice(at);
  return token.slice(0, at) + token.slice(at + 1);
}

// ---------- fixture ----------

interface Fixture {
  module: TestingModule;
  verifier: AccessTokenVerifier;
  guard: JwtRevocationGuard;
  validToken: string;
  sessionId: string;
}

async function start(): Promise<Fixture> {
  const module = await Test.createTestingModule({
    imports: [
      JwtRevocationTestingModule.forRoot({
        users: ['1', '2'],
        globalGuard: false,
        options: { secret: SECRET, sessions: { purgeIntervalMs: 0 }, clockTolerance: TOLERANCE, maxTokenLength: MAX_TOKEN_LENGTH },
      }),
    ],
  }).compile();
  await module.init();
  const pair = await module.get(AuthTokenService).login('1');
  return {
    module,
    verifier: module.get(AccessTokenVerifier),
    guard: module.get(JwtRevocationGuard),
    validToken: pair.accessToken,
    sessionId: pair.sessionId!,
  };
}

class ProbeController {
  handler(): void {}
}

function httpContext(request: Record<string, unknown>) {
  const written: Record<string, string> = {};
  const response = { header: (name: string, value: string) => (written[name] = value) };
  const context = new ExecutionContextHost([request, response, () => undefined], ProbeController, ProbeController.prototype.handler);
  return { context, written };
}

const decodeJson = (segment: string): unknown => {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

describe('security properties', () => {
  let f: Fixture;

  beforeAll(async () => {
    f = await start();
  });

  afterAll(async () => {
    await f?.module.close();
  });

  it('the fixture token is accepted (so refusals below are meaningful)', async () => {
    await expect(f.verifier.verify(f.validToken)).resolves.toMatchObject({ id: '1', sessionId: f.sessionId });
  });

  it('parseBearerHeader / extractBearerToken: any input yields a well-formed token or one of our 400/401 refusals', async () => {
    const headerValue = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', '', 'Bearer,'),
          fc.constantFrom(' ', '  ', '\t', '', ', '),
          fc.oneof(fc.constant(f.validToken), fc.stringMatching(/^[A-Za-z0-9_.=+/ ,-]{0,80}$/), fc.string()),
          fc.constantFrom('', ' ', ' x', ',', `, Bearer ${f.validToken}`),
        )
        .map((parts) => parts.join('')),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(headerValue, fc.option(fc.dictionary(fc.constantFrom('access_token', 'token', 'q'), fc.anything())), async (authorization, query) => {
        const direct = await outcome(() => parseBearerHeader(authorization, MAX_TOKEN_LENGTH));
        if (direct.ok) {
          expect(direct.value).toMatch(JWS_COMPACT);
          expect(direct.value.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
          expect(typeof authorization === 'string' && /^bearer $/i.test(authorization.slice(0, 7)) && authorization.slice(7) === direct.value).toBe(true);
        }
        const extracted = await outcome(() =>
          assertTokenShape(extractBearerToken({ headers: { authorization: authorization as string }, query: query ?? undefined }), MAX_TOKEN_LENGTH),
        );
        if (query && 'access_token' in query) expect(extracted.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('the guard: random Authorization headers and query strings never authenticate, never throw anything else, and always set a challenge', async () => {
    const token = fc.oneof(
      tokenArb(f.sessionId, ['none', 'empty', 'random', 'wrong-secret', 'right-secret-hs512']).map((t) => t.token),
      mutationArb.map((m) => mutate(f.validToken, m)),
      fc.string(),
    );
    const authorization = fc.oneof(
      token.map((t) => `Bearer ${t}`),
      fc.tuple(fc.constantFrom('bearer ', 'Bearer  ', 'Basic ', 'Bearer\t', ''), token).map(([scheme, t]) => scheme + t),
      fc.string(),
      fc.constant(undefined),
      fc.array(token.map((t) => `Bearer ${t}`), { minLength: 2, maxLength: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(authorization, fc.option(fc.dictionary(fc.constantFrom('access_token', 'q'), fc.string())), async (header, query) => {
        const { context, written } = httpContext({ headers: header === undefined ? {} : { authorization: header }, query: query ?? {} });
        const result = await outcome(() => f.guard.canActivate(context));
        if (result.ok) {
          // Only a mutation that left the token byte-identical in meaning may pass (see the mutation property).
          expect(typeof header).toBe('string');
          expect(query && 'access_token' in query).toBeFalsy();
          const presented = (header as string).slice(7);
          expect(presented.slice(0, presented.lastIndexOf('.'))).toBe(f.validToken.slice(0, f.validToken.lastIndexOf('.')));
        } else {
          expect(written['WWW-Authenticate']).toBe(result.error.headers['WWW-Authenticate']);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('tokens not signed with the app secret under HS256 are always refused with InvalidTokenException', async () => {
    await fc.assert(
      fc.asyncProperty(tokenArb(f.sessionId, ['none', 'empty', 'random', 'wrong-secret', 'right-secret-hs512']), async ({ token }) => {
        const result = await outcome(() => f.verifier.verify(token));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBeInstanceOf(InvalidTokenException);
      }),
      { numRuns: 500 },
    );
  });

  it('tokens signed with the app secret are accepted only when header and claims pass every check', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(tokenArb(f.sessionId, ['right-secret']), async ({ token }) => {
        const result = await outcome(() => f.verifier.verify(token));
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(InvalidTokenException);
          return;
        }
        accepted++;
        const [headerSegment, payloadSegment] = token.split('.');
        const header = decodeJson(headerSegment) as Record<string, unknown>;
        const claims = decodeJson(payloadSegment) as Record<string, unknown>;
        const t = now();
        expect(header.alg).toBe('HS256');
        expect(header.kid).toBeUndefined();
        for (const name of KEY_CHOOSING_HEADERS) expect(Object.prototype.hasOwnProperty.call(header, name)).toBe(false);
        expect(Object.prototype.hasOwnProperty.call(claims, 'typ') && claims.typ).toBe('access');
        expect(Number.isSafeInteger(claims.exp) && (claims.exp as number) + TOLERANCE > t - 1).toBe(true);
        expect(Number.isSafeInteger(claims.iat) && (claims.iat as number) <= t + TOLERANCE + 1).toBe(true);
        expect(claims.nbf === undefined || (typeof claims.nbf === 'number' && claims.nbf - TOLERANCE <= t + 1)).toBe(true);
        expect(claims.ver).toBe(0);
        expect(['1', '2', 1, 2]).toContain(claims.sub);
        expect(typeof claims.jti === 'string' && claims.jti.length > 0 && claims.jti.length <= 64).toBe(true);
        expect(claims.sid === undefined || (claims.sid === f.sessionId && String(claims.sub) === '1')).toBe(true);
        expect(result.value).toEqual(expect.objectContaining({ id: String(claims.sub), tokenVersion: 0 }));
      }),
      { numRuns: 800 },
    );
    expect(accepted).toBeGreaterThan(0); // the generator reaches the acceptance path
  });

  it('any one-character edit of a valid token is refused unless it encodes the very same signed bytes', async () => {
    const [h, p, s] = f.validToken.split('.');
    const signedInput = `${h}.${p}`;
    const signature = Buffer.from(s, 'base64url');
    await fc.assert(
      fc.asyncProperty(mutationArb, async (mutation) => {
        const token = mutate(f.validToken, mutation);
        fc.pre(token !== f.validToken);
        const result = await outcome(() => f.verifier.verify(token));
        if (result.ok) {
          const dot = token.lastIndexOf('.');
          expect(token.slice(0, dot)).toBe(signedInput);
          expect(Buffer.from(token.slice(dot + 1), 'base64url').equals(signature)).toBe(true);
        } else {
          expect(result.error).toBeInstanceOf(InvalidTokenException);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('verifyStateless never throws anything but InvalidTokenException, whatever string it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 5000 }), fc.stringMatching(/^[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}$/)), (token) => {
        try {
          f.verifier.verifyStateless(token);
          throw new Error(`accepted ${token}`);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidTokenException);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
