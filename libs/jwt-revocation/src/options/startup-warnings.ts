import type { ResolvedOptions } from './resolved-options';

/**
 * Settings that work but leave a door open, said once at startup. Without `issuer` and
 * `audience`, any other service holding the key can mint tokens this app accepts.
 */
export function startupWarnings(options: Pick<ResolvedOptions, 'issuer' | 'audience'>): string[] {
  const missing = [options.issuer === undefined ? 'issuer' : undefined, options.audience === undefined ? 'audience' : undefined].filter(
    (name): name is string => name !== undefined,
  );
  if (missing.length === 0) return [];
  return [
    `No ${missing.join(' and ')} configured: tokens signed with the same key by any other service or app are accepted here. ` +
      `Set ${missing.map((name) => `\`${name}\``).join(' and ')} (e.g. issuer 'https://auth.example.com', audience 'api').`,
  ];
}
