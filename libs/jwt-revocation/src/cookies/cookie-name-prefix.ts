/**
 * The name a cookie is written under (ASVS 3.3.1): `__Host-` when it is Secure with Path=/ (the
 * browser then also refuses a Domain attribute, so no sibling subdomain can set or shadow it),
 * `__Secure-` when Secure with a narrower path, and no prefix without Secure, since browsers
 * reject a prefixed cookie that is not Secure.
 */
export function prefixedCookieName(name: string, attributes: { secure: boolean; path: string }): string {
  if (!attributes.secure) return name;
  return attributes.path === '/' ? `__Host-${name}` : `__Secure-${name}`;
}
