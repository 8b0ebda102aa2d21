import { readCookie, serializeCookie } from './cookie-header';

describe('cookie headers', () => {
  it('reads one cookie from a Cookie header, the first of a name winning', () => {
    expect(readCookie('a=1; __Secure-refresh=rt.x; b=2', '__Secure-refresh')).toBe('rt.x');
    expect(readCookie('x=1;y=2', 'y')).toBe('2');
    expect(readCookie('refresh=first; refresh=second', 'refresh')).toBe('first');
    expect(readCookie('a=1', 'refresh')).toBeUndefined();
    expect(readCookie('refresh=', 'refresh')).toBeUndefined();
    expect(readCookie(undefined, 'refresh')).toBeUndefined();
    expect(readCookie('xrefresh=1; refreshx=2', 'refresh')).toBeUndefined();
  });

  it('writes the attributes it is given', () => {
    expect(serializeCookie('__Secure-refresh', 'v', { path: '/auth', maxAge: 60, secure: true, httpOnly: true, sameSite: 'Strict' })).toBe(
      '__Secure-refresh=v; Path=/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
    );
    expect(serializeCookie('csrf', '', { path: '/', maxAge: 0, secure: false, httpOnly: false, sameSite: 'Lax' })).toBe(
      'csrf=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    );
  });
});
