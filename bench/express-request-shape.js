'use strict';
// Why the library's few reads and one write on an Express request cost more than on Fastify's.
//   node --allow-natives-syntax bench/express-request-shape.js
// 1. Whether two requests in flight at once share a hidden class when a global guard sees them,
//    on Nest over Express and over Fastify (V8's %HaveSameMap).
// 2. CPU per property access on requests shaped as Express 5 hands them over (Node's request,
//    prototype swapped for the app's, the router's properties added), made in batches outside the
//    timed loop: each row is one access of the kind the guard makes.
require('reflect-metadata');
const { NestFactory, APP_GUARD } = require('@nestjs/core');
const { Controller, Get, Injectable, Module } = require('@nestjs/common');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { expressRequests } = require('./lib/express-requests');

let haveSameMap;
try {
  haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
} catch {
  console.error('run with: node --allow-natives-syntax bench/express-request-shape.js');
  process.exit(2);
}

/** Holds each request at the guard until a second one arrives, then compares the two. */
class PairingGuard {
  constructor() {
    this.verdicts = [];
  }
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    if (!this.waiting) return new Promise((resolve) => (this.waiting = { request, resolve }));
    this.verdicts.push(haveSameMap(request, this.waiting.request));
    this.waiting.resolve(true);
    this.waiting = undefined;
    return true;
  }
}
Injectable()(PairingGuard);

class MeController {
  me() {
    return { id: 1 };
  }
}
Controller()(MeController);
Get('me')(MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));

async function sharedShapes(platform) {
  const guard = new PairingGuard();
  class ShapeModule {}
  Module({ controllers: [MeController], providers: [{ provide: APP_GUARD, useValue: guard }] })(ShapeModule);
  const app = await NestFactory.create(ShapeModule, ...(platform === 'fastify' ? [new FastifyAdapter()] : []), { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${app.getHttpServer().address().port}/me`;
  for (let pair = 0; pair < 10; pair++) await Promise.all([1, 2].map(() => fetch(url, { headers: { authorization: 'Bearer x' } })));
  await app.close();
  const same = guard.verdicts.filter(Boolean).length;
  console.log(`${platform}: ${same} of ${guard.verdicts.length} pairs of concurrent requests share a hidden class at the guard`);
}

function cpuPerAccess(label, access) {
  let micros = 0;
  let calls = 0;
  for (let batch = 0; batch < 300; batch++) {
    const requests = expressRequests(new Array(1000).fill('Bearer t'));
    const start = process.cpuUsage();
    for (const request of requests) access(request);
    const used = process.cpuUsage(start);
    if (batch >= 50) {
      micros += used.user + used.system;
      calls += requests.length;
    }
  }
  console.log(`  ${label.padEnd(44)} ${(micros / calls).toFixed(2).padStart(6)} us`);
}

async function main() {
  await sharedShapes('express');
  await sharedShapes('fastify');
  console.log('CPU per access on Express 5 requests:');
  const user = { id: 1 };
  cpuPerAccess('none (the loop alone)', () => {});
  cpuPerAccess('request.headers.authorization', (request) => request.headers.authorization);
  cpuPerAccess('request.rawHeaders', (request) => request.rawHeaders);
  cpuPerAccess('request.url', (request) => request.url);
  cpuPerAccess('request.query (Express getter)', (request) => request.query);
  cpuPerAccess('request.auth (absent: a miss)', (request) => request.auth);
  cpuPerAccess('request.user = user (a new property)', (request) => {
    request.user = user;
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
