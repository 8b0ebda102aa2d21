import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import { benchConfigsFromEnv, type BenchConfig } from './bench-config';
import { BenchModule } from './bench.module';
import { QueryCounter } from './query-counter';
import { acceptProfilingRequests } from './cpu-profiler';
import { registerMetricsSdk } from './metrics-sdk';

/**
 * One bench server process: `node -r ./bench/register-paths.js bench/.build/server.js`, configured
 * by the environment (see bench-config.ts). It runs one app per entry of `BENCH_APPS`, each on its
 * own port: the rows of a round share one process, so that process's own speed (its JIT and memory
 * layout differ from the next one's) is in both terms of every ratio. Tells its parent the ports
 * over IPC and closes when told to; run by hand (e.g. with --cpu-prof) it prints them.
 */
async function main(): Promise<void> {
  const configs = benchConfigsFromEnv();
  if (process.env.BENCH_OTEL_SDK === '1') registerMetricsSdk();
  const apps: INestApplication[] = [];
  const ports: number[] = [];
  for (const config of configs) {
    const app = await createApp(config);
    app.enableShutdownHooks();
    await app.listen(configs.length === 1 ? Number(process.env.BENCH_PORT ?? 0) : 0, '127.0.0.1');
    apps.push(app);
    ports.push((app.getHttpServer().address() as AddressInfo).port);
  }
  process.on('message', (message) => {
    if (message === 'close') void Promise.all(apps.map((app) => app.close())).then(() => process.exit(0));
  });
  if (process.env.BENCH_PROFILE === '1') acceptProfilingRequests();
  if (process.send) process.send({ type: 'listening', ports });
  else configs.forEach((config, i) => console.log(`bench server (${config.scenario}, ${config.platform}) on http://127.0.0.1:${ports[i]}`));
}

function createApp(config: BenchConfig): Promise<INestApplication> {
  const module = BenchModule.forScenario(config, new QueryCounter());
  const logger: ['error', 'warn'] = ['error', 'warn'];
  return config.platform === 'fastify' ? NestFactory.create(module, new FastifyAdapter(), { logger }) : NestFactory.create(module, { logger });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
