import type { ResolvedOptions } from '../options/resolved-options';
import type { RevokedBefore } from '../revocation/revoked-before';
import { AccessTokenIssuer } from './access-token.issuer';

/** An everyone-out cutoff held in memory, as right after `logoutEveryone()`. */
function issuerWithCutoff(cutoffSeconds: number): AccessTokenIssuer {
  const revokedBefore = { ifFresh: () => cutoffSeconds } as unknown as RevokedBefore;
  return new AccessTokenIssuer({} as ResolvedOptions, revokedBefore);
}

describe('AccessTokenIssuer.issueTime', () => {
  afterEach(() => jest.restoreAllMocks());

  it('waits for the wall clock to pass the cutoff, also when the timer fires a millisecond early', async () => {
    const cutoffMs = 1_000_000_000_000;
    // The wall clock as read: before the wait, after a timer that fired early, then at the cutoff.
    const readings = [cutoffMs - 5, cutoffMs - 1, cutoffMs];
    jest.spyOn(Date, 'now').mockImplementation(() => readings.shift() ?? cutoffMs);
    const issuedAt = await issuerWithCutoff(cutoffMs / 1000).issueTime();
    expect(issuedAt).toBeGreaterThanOrEqual(cutoffMs);
  });

  it('does not wait when the cutoff is past', async () => {
    const now = 2_000_000_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    await expect(issuerWithCutoff(now / 1000 - 10).issueTime()).resolves.toBe(now);
  });
});
