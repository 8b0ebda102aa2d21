import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp, httpAdapterFor } from '../../src/app.setup';
import { appConfig, databaseFromUrl, type AppConfig } from '../../src/config';

export const TEST_SECRET = 'e2e-test-secret-that-is-long-enough-0123456789';
export const TEST_ISSUER = 'https://auth.e2e.test';
export const TEST_AUDIENCE = 'e2e-api';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The demo's settings for a test: the given database, a fixed secret, the rest as in production. */
export function testConfig(databaseUrl: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    database: databaseFromUrl(databaseUrl),
    jwtSecret: TEST_SECRET,
    jwtIssuer: TEST_ISSUER,
    jwtAudience: TEST_AUDIENCE,
    adminEmails: [],
    redisUrl: undefined,
    httpAdapter: 'express',
    cookieMode: false,
    loginAttempts: { limit: 10, perClientLimit: 100, windowMs: 15 * 60 * 1000 },
    refreshReuseGraceMs: 0,
    ...overrides,
  };
}

/** The demo's AppModule with its `app` config namespace replaced by `config` (instead of the environment). */
export async function createTestApp(config: AppConfig, logger: LoggerService | false = false): Promise<INestApplication> {
  const builder = Test.createTestingModule({ imports: [AppModule] }).overrideProvider(appConfig.KEY).useValue(config);
  // A logger given here also hears what the modules say while they start.
  if (logger) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication(httpAdapterFor(config.httpAdapter), { logger });
  configureApp(app);
  await app.init();
  if (config.httpAdapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

export async function startApp(databaseUrl: string, overrides: Partial<AppConfig> = {}, logger: LoggerService | false = false): Promise<TestApp> {
  const app = await createTestApp(testConfig(databaseUrl, overrides), logger);
  return { app, http: () => request(app.getHttpServer()), close: () => app.close() };
}

export interface LoggedIn {
  id: number;
  email: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Registers a fresh user and logs in. */
export async function registerAndLogin(t: TestApp, password = 'correct horse battery'): Promise<LoggedIn> {
  const email = `user${Date.now()}-${counter++}@example.com`;
  const registered = await t.http().post('/auth/register').send({ email, password }).expect(201);
  const login = await t.http().post('/auth/login').send({ email, password }).expect(200);
  return { id: registered.body.id, email, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

export function login(t: TestApp, email: string, password = 'correct horse battery') {
  return t.http().post('/auth/login').send({ email, password });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
