type Headers = Record<string, string | string[] | undefined>;

/**
 * Why a request looks started by another site, or undefined when it does not. Browsers send
 * `Sec-Fetch-Site` and, on every cross-origin POST, `Origin`; either one naming another origin
 * than the request's own (its `Host`) or a trusted one refuses it. `same-site` is refused too: a
 * sibling subdomain or another port of the same host is another origin. A request with neither
 * header did not come from a page of another site in a current browser (curl, a server).
 */
export function crossSiteReason(headers: Headers, trustedOrigins: ReadonlySet<string>): string | undefined {
  const origin = single(headers.origin);
  const trusted = origin !== undefined && trustedOrigins.has(origin);
  const fetchSite = single(headers['sec-fetch-site']);
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none' && !trusted) return `Sec-Fetch-Site: ${fetchSite}`;
  if (origin === undefined || trusted) return undefined;
  const host = single(headers.host)?.toLowerCase();
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    originHost = undefined;
  }
  if (origin === 'null' || !originHost || originHost !== host) return 'Origin is not this site';
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : 'multiple') : value;
}
