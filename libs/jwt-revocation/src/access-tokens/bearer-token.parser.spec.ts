import { HttpStatus } from '@nestjs/common';
import { assertTokenShape, extractBearerToken, parseBearerHeader } from './bearer-token.parser';
import { InvalidAuthRequestException, InvalidTokenException, MissingTokenException } from '../errors/bearer-auth.exceptions';

const MAX = 4096;
/** A well-formed compact JWS of the given length (the parser never decodes it). */
function tokenOfLength(length: number): string {
  const head = 'eyJhbGciOiJIUzI1NiJ9.';
  const tail = '.c2lnbmF0dXJl';
  return head + 'p'.repeat(length - head.length - tail.length) + tail;
}
const TOKEN = tokenOfLength(120);

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the parser to throw');
}

describe('parseBearerHeader', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('reads the token after the scheme %p, in any case', (scheme) => {
    expect(parseBearerHeader(`${scheme} ${TOKEN}`, MAX)).toBe(TOKEN);
  });

  describe('no bearer credentials: MissingTokenException (401, bare challenge)', () => {
    it.each([
      ['no header', undefined],
      ['null', null],
      ['an empty header', ''],
      ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`],
      ['another scheme without credentials', 'Negotiate'],
      ['a token without a scheme', TOKEN],
    ])('%s', (_label, header) => {
      const error = errorOf(() => parseBearerHeader(header, MAX));
      expect(error).toBeInstanceOf(MissingTokenException);
      expect((error as MissingTokenException).getStatus()).toBe(HttpStatus.UNAUTHORIZED);
      expect((error as MissingTokenException).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    });
  });

  describe('a malformed header: InvalidAuthRequestException (400, invalid_request)', () => {
    it.each([
      ['"Bearer" alone', 'Bearer'],
      ['"bearer" alone, lower case', 'bearer'],
      ['"Bearer " with an empty token', 'Bearer '],
      ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
      ['two schemes', `Bearer ${TOKEN}, Bearer ${TOKEN}`],
      ['trailing data', `Bearer ${TOKEN} extra`],
      ['a trailing space', `Bearer ${TOKEN} `],
      ['two spaces after the scheme', `Bearer  ${TOKEN}`],
      ['a comma inside the token', `Bearer ${TOKEN},`],
      ['a comma-separated list', `Bearer a.b.c,d.e.f`],
      ['a tab inside the token', `Bearer ${TOKEN}\tx`],
      ['a newline after the token', `Bearer ${TOKEN}\n`],
      ['a repeated header (array)', [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]],
      ['a non-string header', 42],
    ])('%s', (_label, header) => {
      const error = errorOf(() => parseBearerHeader(header, MAX));
      expect(error).toBeInstanceOf(InvalidAuthRequestException);
      expect((error as InvalidAuthRequestException).getStatus()).toBe(HttpStatus.BAD_REQUEST);
      expect((error as InvalidAuthRequestException).headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_request"' });
    });
  });

  describe('a token of the wrong shape: InvalidTokenException (401, invalid_token)', () => {
    it.each([
      ['one character over the limit', tokenOfLength(MAX + 1)],
      ['far over the limit', tokenOfLength(64 * 1024)],
      ['a "+" (base64, not base64url)', 'eyJh+GciOi.eyJzdWIiOiIxIn0.c2ln'],
      ['a "/" (base64, not base64url)', 'eyJhbGciOi.eyJz/WIiOiIxIn0.c2ln'],
      ['"=" padding', 'eyJhbGciOi.eyJzdWIiOiIxIn0=.c2ln'],
      ['a non-ASCII character', 'eyJhbGciOi.eyJzdWIiOiIxIn0.c2lné'],
      ['a quote', 'eyJhbGciOi.eyJzdWIiOiIxIn0."c2ln"'],
      ['two segments', 'eyJhbGciOi.eyJzdWIiOiIxIn0'],
      ['five segments (JWE)', 'a.b.c.d.e'],
      ['an empty signature ("alg": "none" style)', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'],
      ['an empty payload', 'eyJhbGciOi..c2ln'],
    ])('%s', (_label, token) => {
      const error = errorOf(() => parseBearerHeader(`Bearer ${token}`, MAX));
      expect(error).toBeInstanceOf(InvalidTokenException);
      expect((error as InvalidTokenException).getStatus()).toBe(HttpStatus.UNAUTHORIZED);
      expect((error as InvalidTokenException).headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    });
  });

  it('accepts a token of exactly the maximum length and honours a smaller limit', () => {
    expect(parseBearerHeader(`Bearer ${tokenOfLength(MAX)}`, MAX)).toHaveLength(MAX);
    expect(parseBearerHeader(`Bearer ${tokenOfLength(100)}`, 100)).toHaveLength(100);
    expect(() => parseBearerHeader(`Bearer ${tokenOfLength(101)}`, 100)).toThrow(InvalidTokenException);
  });
});

describe('assertTokenShape', () => {
  it('returns a compact JWS unchanged', () => {
    expect(assertTokenShape(TOKEN, MAX)).toBe(TOKEN);
  });

  it('refuses anything else with InvalidTokenException', () => {
    expect(() => assertTokenShape('not a jwt', MAX)).toThrow(InvalidTokenException);
    expect(() => assertTokenShape('', MAX)).toThrow(InvalidTokenException);
  });
});

describe('extractBearerToken on a socket handshake', () => {
  it('reads auth.token alone, or the Authorization header alone', () => {
    expect(extractBearerToken({ auth: { token: TOKEN }, headers: {} })).toBe(TOKEN);
    expect(extractBearerToken({ auth: {}, headers: { authorization: `Bearer ${TOKEN}` } })).toBe(TOKEN);
  });

  it.each([
    ['auth.token and a different header', { auth: { token: TOKEN }, headers: { authorization: `Bearer ${tokenOfLength(130)}` } }],
    ['auth.token and the same token in the header', { auth: { token: TOKEN }, headers: { authorization: `Bearer ${TOKEN}` } }],
    ['a non-string auth.token', { auth: { token: 42 }, headers: {} }],
  ])('refuses %s with InvalidAuthRequestException (400)', (_label, handshake) => {
    expect(() => extractBearerToken(handshake)).toThrow(InvalidAuthRequestException);
  });
});

describe('extractBearerToken on a Node (Express) request', () => {
  const nodeRequest = (url: string, rawHeaders: string[], query: () => unknown) => {
    const request = { url, rawHeaders, headers: { authorization: rawHeaders[1] } };
    // Express 5's `query` is a getter that parses the URL on each read.
    return Object.defineProperty(request, 'query', { get: query }) as typeof request & { query: unknown };
  };
  const header = ['Authorization', `Bearer ${TOKEN}`];

  it('does not parse the query of a URL without a query string', () => {
    const query = jest.fn(() => ({}));
    expect(extractBearerToken(nodeRequest('/me', header, query))).toBe(TOKEN);
    expect(query).not.toHaveBeenCalled();
  });

  it('refuses access_token in the query string of a URL that has one, and reads any other query once', () => {
    expect(() => extractBearerToken(nodeRequest('/me?access_token=x', header, () => ({ access_token: 'x' })))).toThrow(InvalidAuthRequestException);
    const query = jest.fn(() => ({ page: '2' }));
    expect(extractBearerToken(nodeRequest('/me?page=2', header, query))).toBe(TOKEN);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['the same spelling', ['Authorization', `Bearer ${TOKEN}`, 'Authorization', `Bearer ${TOKEN}`]],
    ['two spellings', ['authorization', `Bearer ${TOKEN}`, 'AUTHORIZATION', `Bearer ${TOKEN}`]],
  ])('refuses two Authorization headers (%s) with InvalidAuthRequestException (400)', (_label, rawHeaders) => {
    expect(() => extractBearerToken(nodeRequest('/me', rawHeaders, () => ({})))).toThrow(InvalidAuthRequestException);
  });

  it('counts only headers named Authorization, whatever other headers of that length are called', () => {
    const rawHeaders = [...header, 'x-auth-tokens', 'a', 'Content-Type', 'text/plain'];
    expect(extractBearerToken(nodeRequest('/me', rawHeaders, () => ({})))).toBe(TOKEN);
  });
});
