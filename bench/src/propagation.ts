import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessTokenVerifier,
  AuthTokenService,
  InvalidTokenException,
  JwtRevocationModule,
  type InvalidationMessage,
  type RevocationBroadcaster,
} from 'nestjs-jwt-revocation';
import { JwtRevocationTypeOrmModule, JwtSessionEntity, TypeOrmSessionStore, TypeOrmTokenVersionStore } from 'nestjs-jwt-revocation/typeorm';
import { dataSourceOptions } from './bench-config';
import { ObservedBroadcaster } from './observed-broadcaster';
import { benchBroadcaster, type BroadcasterKind } from './bench-broadcasters';
import { User } from './user.entity';

/**
 * Cross-instance propagation, measured at the library level: two Nest application contexts in
 * one process (one clock), sharing a database and a channel, each with its own broadcaster of
 * the kind measured (BENCH_BROADCASTER, default redis; see bench-broadcasters.ts). For each of N users: B verifies the user's token (now cached),
 * A calls `logoutAll`, and we time A's publish -> B's cache invalidation, then check B refuses
 * the old token. Reports to the parent over IPC (or prints JSON when run alone).
 *
 * Env: BENCH_DATABASE_URL (seeded with >= N users), BENCH_BROADCASTER and what it needs, BENCH_SECRET, BENCH_REVOCATIONS.
 */
@Module({})
class InstanceModule {
  static create(name: string, databaseUrl: string, secret: string, broadcaster: RevocationBroadcaster): DynamicModule {
    return {
      module: InstanceModule,
      imports: [
        // Named per instance: both contexts live in one process.
        TypeOrmModule.forRoot({ name, ...dataSourceOptions(databaseUrl), entities: [User, JwtSessionEntity], synchronize: false }),
        JwtRevocationModule.forRootAsync({
          imports: [JwtRevocationTypeOrmModule.forFeature({ userEntity: User, dataSource: name })],
          inject: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
          useFactory: (tokenVersionStore: TypeOrmTokenVersionStore, sessionStore: TypeOrmSessionStore) => ({ secret, tokenVersionStore, sessionStore, broadcaster }),
          globalGuard: false,
        }),
      ],
    };
  }
}

const TIMEOUT_MS = 1000;

interface Waiter {
  resolve(at: number): void;
}

async function main(): Promise<void> {
  const databaseUrl = requiredEnv('BENCH_DATABASE_URL');
  const kind = (process.env.BENCH_BROADCASTER || 'redis') as BroadcasterKind;
  const secret = requiredEnv('BENCH_SECRET');
  const revocations = Number(process.env.BENCH_REVOCATIONS ?? 1000);
  const channel = `jwt-revocation:bench-propagation:${process.pid}`;

  const publishedAt = new Map<string, number>();
  const waiters = new Map<string, Waiter>();
  const keyOf = (message: InvalidationMessage) => (message.kind === 'user' ? `user:${message.userId}` : undefined);

  const onA = new ObservedBroadcaster(benchBroadcaster(kind, channel), {
    onPublish: (message, at) => {
      const key = keyOf(message);
      if (key) publishedAt.set(key, at);
    },
  });
  const onB = new ObservedBroadcaster(benchBroadcaster(kind, channel), {
    onApplied: (message, at) => {
      const key = keyOf(message);
      if (key) waiters.get(key)?.resolve(at);
    },
  });

  const contexts: INestApplicationContext[] = [];
  try {
    const a = await NestFactory.createApplicationContext(InstanceModule.create('instance-a', databaseUrl, secret, onA), { logger: ['error', 'warn'] });
    contexts.push(a);
    const b = await NestFactory.createApplicationContext(InstanceModule.create('instance-b', databaseUrl, secret, onB), { logger: ['error', 'warn'] });
    contexts.push(b);
    await a.init();
    await b.init();
    await until(() => onA.isConnected() && onB.isConnected(), 5000, `${kind} subscriptions did not come up`);

    const authOnA = a.get(AuthTokenService);
    const verifierOnB = b.get(AccessTokenVerifier);
    const authOnB = b.get(AuthTokenService);

    const publishToApplied: number[] = [];
    const callToApplied: number[] = [];
    let lost = 0;
    let stillAccepted = 0;
    let notCached = 0;

    for (let userId = 1; userId <= revocations; userId++) {
      const { accessToken } = await authOnA.login(userId);
      await verifierOnB.verify(accessToken); // B reads the store and caches the version and session
      const hitsBefore = authOnB.metrics().cacheHits;
      await verifierOnB.verify(accessToken);
      if (authOnB.metrics().cacheHits - hitsBefore !== 2) notCached++;

      const key = `user:${userId}`;
      const applied = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), TIMEOUT_MS);
        waiters.set(key, {
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      });
      const calledAt = performance.now();
      await authOnA.logoutAll(userId);
      const appliedAt = await applied;
      waiters.delete(key);
      if (appliedAt === undefined) {
        lost++;
        continue;
      }
      publishToApplied.push(appliedAt - publishedAt.get(key)!);
      callToApplied.push(appliedAt - calledAt);
      try {
        await verifierOnB.verify(accessToken);
        stillAccepted++;
      } catch (error) {
        if (!(error instanceof InvalidTokenException)) throw error;
      }
    }

    report({
      broadcaster: kind,
      revocations,
      lost,
      stillAccepted,
      notCached,
      publishToApplied: summary(publishToApplied),
      callToApplied: summary(callToApplied),
    });
  } finally {
    for (const context of contexts.reverse()) await context.close();
  }
}

function summary(values: number[]) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
  return { count: sorted.length, p50: at(50), p99: at(99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

function report(result: unknown): void {
  if (process.send) process.send({ type: 'propagation', result });
  else console.log(JSON.stringify(result, null, 2));
}

async function until(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
