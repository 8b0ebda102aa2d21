import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import { benchConfigFromEnv } from './bench-config';
import { BenchModule } from './bench.module';
import { QueryCounter } from './query-counter';
import { acceptProfilingRequests } from './cpu-profiler';
import { registerMetricsSdk } from './metrics-sdk';

/**
 * One bench server: `node -r ./bench/register-paths.js bench/.build/server.js`, configured by the
 * environment (see bench-config.ts). Tells its parent the port over IPC and closes when told to;
 * run by hand (e.g. with --cpu-prof) it listens on BENCH_PORT and prints the port.
 */
async function main(): Promise<void> {
  const config = benchConfigFromEnv();
  if (process.env.BENCH_OTEL_SDK === '1') registerMetricsSdk();
  const module = BenchModule.forScenario(config, new QueryCounter());
  const logger: ['error', 'warn'] = ['error', 'warn'];
  const app: INestApplication =
    config.platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger })
      : await NestFactory.create(module, { logger });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.on('message', (message) => {
    if (message === 'close') void app.close().then(() => process.exit(0));
  });
  if (process.env.BENCH_PROFILE === '1') acceptProfilingRequests();
  if (process.send) process.send({ type: 'listening', port });
  else console.log(`bench server (${config.scenario}, ${config.platform}) on http://127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
