import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import { io, type Socket } from 'socket.io-client';
import {
  AuthTokenService,
  InMemorySessionStore,
  InMemoryTokenVersionStore,
  JwtRevocationModule,
  LiveConnectionRegistry,
  RevocationChecker,
  RevocationListeners,
  SocketIoLiveConnections,
  type AuthenticatedUser,
  type LiveSocketServer,
  type RevocationBroadcaster,
} from 'nestjs-jwt-revocation';
import { loadRedisBroadcaster } from './redis-broadcaster.loader';

/**
 * Live connections, measured on real socket.io servers (Express):
 * - propagation: for each round a fresh user logs in, its socket connects to instance B, and
 *   `logoutAll` is called on A (or on B, same instance); timed from the call to the client's
 *   `disconnect`. A and B share in-memory stores (so no database time is in the figure) and a
 *   Redis channel, in this one process (one clock); the client runs here too.
 * - scale: a server in its own process with OPEN sockets (default 10,000) opened from this one;
 *   its memory per connection (heap and RSS, after GC), the registry's own share, the time to
 *   close one user's socket among them, and the time to close them all (logoutEveryone).
 * Reports `{ type: 'live-connections', result }` over IPC, or prints the JSON when run alone.
 *
 * Env: BENCH_REDIS_URL, BENCH_LIVE_ROUNDS (default 300), BENCH_LIVE_OPEN (default 10000).
 */

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

@WebSocketGateway()
class BenchGateway implements OnGatewayInit {
  constructor(private readonly live: SocketIoLiveConnections) {}
  afterInit(server: LiveSocketServer): void {
    this.live.bind(server);
  }
}

@Module({})
class InstanceModule {
  static create(versions: InMemoryTokenVersionStore, sessions: InMemorySessionStore, secret: string, broadcaster?: RevocationBroadcaster): DynamicModule {
    return {
      module: InstanceModule,
      imports: [JwtRevocationModule.forRoot({ secret, tokenVersionStore: versions, sessionStore: sessions, globalGuard: false, ...(broadcaster ? { broadcaster } : {}) })],
      providers: [BenchGateway],
    };
  }
}

async function startInstance(versions: InMemoryTokenVersionStore, sessions: InMemorySessionStore, secret: string, broadcaster?: RevocationBroadcaster) {
  const app = await NestFactory.create(InstanceModule.create(versions, sessions, secret, broadcaster), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

const disconnected = (socket: Socket) => new Promise<number>((resolve) => socket.once('disconnect', () => resolve(now())));

interface Summary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function propagation(redisUrl: string, rounds: number) {
  const Broadcaster = loadRedisBroadcaster();
  if (!Broadcaster) throw new Error('nestjs-jwt-revocation/redis is not built');
  const channel = `jwt-revocation:bench-live:${process.pid}`;
  const versions = new InMemoryTokenVersionStore();
  const sessions = new InMemorySessionStore();
  const secret = randomBytes(32).toString('base64url');
  const a = await startInstance(versions, sessions, secret, new Broadcaster({ connection: redisUrl, channel }));
  const b = await startInstance(versions, sessions, secret, new Broadcaster({ connection: redisUrl, channel }));
  try {
    const run = async (caller: INestApplication, label: string) => {
      const times: number[] = [];
      for (let i = 0; i < rounds + 20; i++) {
        const userId = `${label}-${i}`;
        versions.addUser(userId);
        const { accessToken } = await b.app.get(AuthTokenService).login(userId);
        const socket = await connect(b.url, accessToken);
        const closed = disconnected(socket);
        const started = now();
        await caller.get(AuthTokenService).logoutAll(userId);
        const at = await closed;
        if (i >= 20) times.push(at - started); // the first 20 warm up
      }
      return summarize(times);
    };
    return { rounds, crossInstance: await run(a.app, 'cross'), sameInstance: await run(b.app, 'same') };
  } finally {
    await a.app.close();
    await b.app.close();
  }
}

// ---- scale: the server side, in its own process ----

async function serveForScale(): Promise<void> {
  const versions = new InMemoryTokenVersionStore();
  const sessions = new InMemorySessionStore();
  const { app, url } = await startInstance(versions, sessions, randomBytes(32).toString('base64url'));
  const tokens = app.get(AuthTokenService);
  const gc = () => {
    for (let i = 0; i < 3; i++) (global as { gc?: () => void }).gc?.();
  };
  const memory = () => {
    gc();
    const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
    return { heapUsed, rss, external, arrayBuffers };
  };
  process.on('message', async (message: { cmd: string; count?: number; userId?: string }) => {
    const reply = (result: unknown) => process.send!({ type: message.cmd, result });
    if (message.cmd === 'login') {
      const issued: string[] = [];
      for (let i = 0; i < message.count!; i++) {
        versions.addUser(`u${i}`);
        issued.push((await tokens.login(`u${i}`)).accessToken);
      }
      reply(issued);
    } else if (message.cmd === 'memory') {
      reply({ ...memory(), registered: app.get(LiveConnectionRegistry).size });
    } else if (message.cmd === 'logoutAll') {
      const started = now();
      await tokens.logoutAll(message.userId!);
      reply(started);
    } else if (message.cmd === 'logoutEveryone') {
      const started = now();
      await tokens.logoutEveryone(); // this instance closes its sockets before the call returns
      reply({ started, returned: now() });
    } else if (message.cmd === 'registryCost') {
      reply(registryCost(app, message.count!, memory));
    } else if (message.cmd === 'stop') {
      await app.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', result: url });
}

/** Heap bytes the registry itself holds per registration (the users are allocated before, as a socket's are). */
function registryCost(app: INestApplication, count: number, memory: () => { heapUsed: number }) {
  const registry = new LiveConnectionRegistry(new RevocationListeners(), app.get(RevocationChecker));
  const users: AuthenticatedUser[] = Array.from({ length: count }, (_, i) => ({
    id: `cost-${i}`,
    sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tokenVersion: 0,
    tokenId: `t${i}`,
    issuedAt: Math.floor(Date.now() / 1000),
    expiresAt: Math.floor(Date.now() / 1000) + 900,
    claims: {},
  }));
  const before = memory().heapUsed;
  const connections = users.map((user) => registry.register(user, () => undefined));
  const after = memory().heapUsed;
  for (const connection of connections) connection.unregister();
  registry.onModuleDestroy();
  return { bytesPerRegistration: (after - before) / count };
}

async function scale(open: number) {
  const server: ChildProcess = fork(__filename, ['serve'], { execArgv: [...process.execArgv, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(cmd: string, extra: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`scale server exited (${code})`));
      const onMessage = (message: { type: string; result: T }) => {
        if (message.type !== cmd) return;
        server.off('message', onMessage);
        server.off('exit', onExit);
        resolve(message.result);
      };
      server.on('message', onMessage);
      server.once('exit', onExit);
      if (cmd !== 'ready') server.send({ cmd, ...extra });
    });
  try {
    const url = await ask<string>('ready');
    const tokens = await ask<string[]>('login', { count: open });
    const registry = await ask<{ bytesPerRegistration: number }>('registryCost', { count: open });
    const before = await ask<{ heapUsed: number; rss: number }>('memory');
    const sockets: Socket[] = [];
    const connectStarted = now();
    for (let i = 0; i < tokens.length; i += 200) sockets.push(...(await Promise.all(tokens.slice(i, i + 200).map((token) => connect(url, token)))));
    const connectSeconds = (now() - connectStarted) / 1000;
    const after = await ask<{ heapUsed: number; rss: number; registered: number }>('memory');
    // One user's socket among all the others: found through the index, not a scan.
    const single: number[] = [];
    for (let i = 0; i < 100; i++) {
      // the first 20 warm up
      const closed = disconnected(sockets[i]);
      const started = await ask<number>('logoutAll', { userId: `u${i}` });
      single.push((await closed) - started);
    }
    const remaining = sockets.slice(100);
    const allClosed = Promise.all(remaining.map(disconnected));
    const everyone = await ask<{ started: number; returned: number }>('logoutEveryone');
    const lastClosed = Math.max(...(await allClosed));
    return {
      open,
      registered: after.registered,
      connectSeconds,
      heapBytesPerConnection: (after.heapUsed - before.heapUsed) / open,
      rssBytesPerConnection: (after.rss - before.rss) / open,
      registryBytesPerConnection: registry.bytesPerRegistration,
      closeOne: summarize(single.slice(20)),
      closeAll: { sockets: remaining.length, ms: lastClosed - everyone.started, serverMs: everyone.returned - everyone.started },
    };
  } finally {
    server.send({ cmd: 'stop' });
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serveForScale();
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const rounds = Number(process.env.BENCH_LIVE_ROUNDS ?? 300);
  const open = Number(process.env.BENCH_LIVE_OPEN ?? 10_000);
  const result = { propagation: await propagation(redisUrl, rounds), scale: await scale(open) };
  if (process.send) process.send({ type: 'live-connections', result });
  else console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
