/** Mints the access tokens the load generator sends; each scenario signs them its own way. */
export interface BenchTokenIssuer {
  issue(userId: number): Promise<string>;
}

export const BENCH_TOKEN_ISSUER = Symbol('BENCH_TOKEN_ISSUER');
