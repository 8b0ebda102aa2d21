import { crossSiteReason } from './cross-site-request';

const none = new Set<string>();
const trusted = new Set(['https://app.example.com']);

describe('crossSiteReason', () => {
  it.each([
    ['no Origin and no Sec-Fetch-Site (curl, a server)', { host: 'api.example.com' }],
    ['same-origin fetch', { host: 'api.example.com', origin: 'https://api.example.com', 'sec-fetch-site': 'same-origin' }],
    ['Origin with the port the Host names', { host: 'localhost:3000', origin: 'http://localhost:3000' }],
    ['a host in another case', { host: 'API.example.com', origin: 'https://api.example.com' }],
    ['navigation typed by the user', { host: 'api.example.com', 'sec-fetch-site': 'none' }],
  ])('lets through %s', (_, headers) => {
    expect(crossSiteReason(headers, none)).toBeUndefined();
  });

  it.each([
    ['a form posted from another site', { host: 'api.example.com', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['another port of the same host (same-site, other origin)', { host: 'localhost:3000', origin: 'http://localhost:4000', 'sec-fetch-site': 'same-site' }],
    ['another origin without fetch metadata', { host: 'api.example.com', origin: 'https://evil.example' }],
    ['a sandboxed or file page (Origin: null)', { host: 'api.example.com', origin: 'null' }],
    ['an unparsable Origin', { host: 'api.example.com', origin: 'not a url' }],
    ['cross-site fetch metadata even with a matching Origin', { host: 'api.example.com', origin: 'https://api.example.com', 'sec-fetch-site': 'cross-site' }],
    ['two Origin headers', { host: 'api.example.com', origin: ['https://api.example.com', 'https://api.example.com'] }],
  ])('refuses %s', (_, headers) => {
    expect(crossSiteReason(headers, none)).toEqual(expect.any(String));
  });

  it('lets a trusted origin through, also when the browser calls it same-site or cross-site', () => {
    expect(crossSiteReason({ host: 'api.example.com', origin: 'https://app.example.com', 'sec-fetch-site': 'same-site' }, trusted)).toBeUndefined();
    expect(crossSiteReason({ host: 'api.example.com', origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' }, trusted)).toBeUndefined();
    expect(crossSiteReason({ host: 'api.example.com', origin: 'https://other.example.com', 'sec-fetch-site': 'same-site' }, trusted)).toEqual(expect.any(String));
  });
});
