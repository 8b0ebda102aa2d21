'use strict';
// The library's own CPU per authenticated request, without HTTP: the global guard's canActivate
// (and the verifier alone) called in a loop on a warm cache, timed with process.cpuUsage(). It
// needs no quiet machine: CPU time per call barely moves with load, unlike req/s.
//   npm run build && node bench/hot-path.js [iterations]
// Prints microseconds of CPU per call for: the guard on the cached path (memo on, the default),
// the same with the verified-token memo off, the verifier alone in both settings, and the guard
// on requests shaped as Express 5 hands them over (below).
require('reflect-metadata');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory, Reflector } = require('@nestjs/core');
const { ExecutionContextHost } = require('@nestjs/core/helpers/execution-context-host');
const { expressRequests } = require('./lib/express-requests');

const dist = process.env.HOT_PATH_DIST ?? path.resolve(__dirname, '../libs/jwt-revocation/dist');
const { AccessTokenVerifier, AuthTokenService, InMemorySessionStore, InMemoryTokenVersionStore, JwtRevocationGuard, JwtRevocationModule } = require(dist);

const USERS = 1000;
const iterations = Number(process.argv[2] ?? 200_000);

class MeController {
  me() {
    return {};
  }
}
Controller('me')(MeController);
Get()(MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));

async function contextWith(verifiedTokens) {
  const versions = new InMemoryTokenVersionStore();
  for (let id = 1; id <= USERS; id++) versions.addUser(id);
  class HotPathModule {}
  Module({
    imports: [
      JwtRevocationModule.forRoot({
        secret: randomBytes(32),
        tokenVersionStore: versions,
        sessionStore: new InMemorySessionStore(),
        sessions: { purgeIntervalMs: 0 },
        // A baseline build without the memo (HOT_PATH_DIST pointing at an older build) knows no such option.
        ...(AccessTokenVerifier.prototype.verifyNow ? { verifiedTokens: { enabled: verifiedTokens } } : {}),
        globalGuard: false,
      }),
    ],
  })(HotPathModule);
  const app = await NestFactory.createApplicationContext(HotPathModule, { logger: false });
  const tokens = [];
  for (let id = 1; id <= USERS; id++) tokens.push((await app.get(AuthTokenService).login(id)).accessToken);
  return { app, tokens };
}

async function cpuPerCall(label, calls, fn) {
  // Warm up (JIT and caches), then time; an async fn is awaited call by call, as Nest awaits a guard.
  for (let i = 0; i < Math.min(calls, 50_000); i++) await fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn(i);
  const used = process.cpuUsage(start);
  const us = (used.user + used.system) / calls;
  console.log(`${label.padEnd(58)} ${us.toFixed(2).padStart(7)} us/call`);
  return us;
}

/** CPU per guard call on fresh Express-shaped requests (made in batches, outside the timed calls). */
async function expressCpuPerCall(label, calls, guard, tokens, handler) {
  let timed = 0;
  for (let done = 0, warm = Math.min(calls, 50_000); done < calls + warm; done += tokens.length) {
    const contexts = expressRequests(tokens.map((token) => `Bearer ${token}`)).map((request) => new ExecutionContextHost([request, {}, undefined], MeController, handler));
    const start = process.cpuUsage();
    for (const context of contexts) await guard.canActivate(context);
    const used = process.cpuUsage(start);
    if (done >= warm) timed += used.user + used.system;
  }
  const us = timed / (Math.ceil(calls / tokens.length) * tokens.length);
  console.log(`${label.padEnd(58)} ${us.toFixed(2).padStart(7)} us/call`);
  return us;
}

async function main() {
  const results = {};
  const baseline = !AccessTokenVerifier.prototype.verifyNow;
  const settings = baseline ? [true] : process.env.HOT_PATH_MEMO ? [process.env.HOT_PATH_MEMO === 'on'] : [true, false];
  for (const memo of settings) {
    const { app, tokens } = await contextWith(memo);
    const verifier = app.get(AccessTokenVerifier);
    const guard = new JwtRevocationGuard(app.get(Reflector), verifier);
    const requests = tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } }));
    const handler = MeController.prototype.me;
    const contextOf = (i) => new ExecutionContextHost([requests[i % USERS], {}, undefined], MeController, handler);
    // Everything cached and memoized once before timing.
    for (const token of tokens) await verifier.verify(token);
    const name = baseline ? 'baseline build' : memo ? 'memo on (default)' : 'memo off';
    if (!baseline) {
      results[`verifier, ${name}`] = await cpuPerCall(`verifier.verifyNow, cached path, ${name}`, iterations, (i) => {
        const user = verifier.verifyNow(tokens[i % USERS]);
        if (user instanceof Promise) throw new Error('not answered from memory');
      });
    }
    results[`verifier async, ${name}`] = await cpuPerCall(`verifier.verify (async, awaited), cached path, ${name}`, iterations, (i) =>
      verifier.verify(tokens[i % USERS]),
    );
    results[`guard, ${name}`] = await cpuPerCall(`guard.canActivate (+ context, awaited), cached path, ${name}`, iterations, (i) =>
      guard.canActivate(contextOf(i)),
    );
    results[`guard on Express requests, ${name}`] = await expressCpuPerCall(
      `guard.canActivate on Express 5 requests, cached path, ${name}`,
      iterations,
      guard,
      tokens,
      handler,
    );
    await app.close();
  }
  return results;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
