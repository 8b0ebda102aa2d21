import { BadRequestException, Controller, Get, Inject, Optional, Query } from '@nestjs/common';
import { AuthTokenService, Public } from 'nestjs-jwt-revocation';
import { BENCH_CONFIG, type BenchConfig } from './bench-config';
import { served } from './me.controllers';
import { QueryCounter } from './query-counter';
import { BENCH_TOKEN_ISSUER, type BenchTokenIssuer } from './token-issuer';

/** Counters every scenario reports; the stateless ones have no library and no database. */
export interface BenchMetrics {
  storeReads: number;
  cacheHits: number;
  cacheMisses: number;
  /** Counted on the TypeORM store only; absent for the others. */
  sqlQueries?: number;
  /** This process's CPU time so far (process.cpuUsage), in microseconds: user space (JS, V8, native code) and kernel. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** `GET /me` responses so far (server side, so in-flight requests at the edges of a run are counted where their work is). */
  served: number;
}

const MAX_TOKENS = 100_000;

/** Routes the bench driver uses around a run; never part of what is measured. */
@Public()
@Controller('__bench')
export class BenchControlController {
  constructor(
    @Inject(BENCH_TOKEN_ISSUER) private readonly issuer: BenchTokenIssuer,
    private readonly queryCounter: QueryCounter,
    @Inject(BENCH_CONFIG) private readonly config: BenchConfig,
    @Optional() private readonly authTokens?: AuthTokenService,
  ) {}

  /** One access token for each of users 1..count. */
  @Get('tokens')
  async tokens(@Query('count') count: string): Promise<string[]> {
    const n = Number(count);
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TOKENS) throw new BadRequestException(`count must be 1-${MAX_TOKENS}`);
    const tokens: string[] = [];
    for (let id = 1; id <= n; id++) tokens.push(await this.issuer.issue(id));
    return tokens;
  }

  @Get('metrics')
  metrics(): BenchMetrics {
    const cpu = process.cpuUsage();
    const library = this.authTokens?.metrics();
    return {
      storeReads: library?.storeReads ?? 0,
      cacheHits: library?.cacheHits ?? 0,
      cacheMisses: library?.cacheMisses ?? 0,
      sqlQueries: this.config.store === 'typeorm' ? this.queryCounter.queries : undefined,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      served: served.count,
    };
  }
}
