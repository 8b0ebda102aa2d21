import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { databaseFromUrl, type AppConfig } from '../../src/config';

export const TEST_SECRET = 'e2e-test-secret-that-is-long-enough-0123456789';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function startApp(databaseUrl: string, overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const config: AppConfig = {
    port: 0,
    database: databaseFromUrl(databaseUrl),
    jwtSecret: TEST_SECRET,
    redisUrl: undefined,
    httpAdapter: 'express',
    cookieMode: false,
    loginAttempts: { limit: 10, windowMs: 15 * 60 * 1000 },
    refreshReuseGraceMs: 0,
    ...overrides,
  };
  const app = await createApp(config, { logger: false });
  await app.init();
  if (config.httpAdapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
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
