import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitUntil } from './tcp-proxy';

/**
 * redis-server processes a suite starts for itself (a cluster, a sentinel group) on free loopback
 * ports, in a temp dir; `stop()` ends exactly those processes (also if the test process exits).
 */
export class RedisServers {
  private readonly dir = mkdtempSync(join(tmpdir(), 'jwtrev-redis-'));
  private readonly processes = new Map<number, ChildProcess>();
  private readonly onExit = () => this.killAll();

  constructor() {
    process.once('exit', this.onExit);
  }

  /** Whether redis-server exists here, and its version ("7.0.15"). */
  static version(): string | undefined {
    const run = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    return run.status === 0 ? /v=(\S+)/.exec(run.stdout)?.[1] : undefined;
  }

  /** A server on a free port; `args` are redis-server command-line options. Resolves once it answers PING. */
  async server(args: string[] = [], port?: number): Promise<number> {
    port ??= await freePort();
    // No diskless-sync delay: a replica is in sync (and may take over) a moment after it starts.
    await this.spawn(port, ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...args]);
    return port;
  }

  /**
   * A cluster of `masters` masters with `replicasPerMaster` replicas each, every slot covered.
   * Returns the ports (masters first); resolves once every node reports cluster_state:ok.
   */
  async cluster(masters = 3, replicasPerMaster = 1): Promise<number[]> {
    const ports: number[] = [];
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await freePort(true);
      ports.push(
        await this.server(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'], port),
      );
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await waitUntil(async () => (await Promise.all(ports.map((port) => clusterOk(port)))).every(Boolean), 60_000, 200);
    // A replica that never synced cannot take over: wait for every link.
    await waitUntil(async () => (await Promise.all(ports.map((port) => info(port, 'replication')))).every(replicaInSync), 60_000, 200);
    return ports;
  }

  /** A master, one replica and three sentinels watching it as `name` (quorum 2). */
  async sentinelGroup(name = 'mymaster'): Promise<{ master: number; replica: number; sentinels: number[] }> {
    const master = await this.server();
    const replica = await this.server(['--replicaof', '127.0.0.1', String(master)]);
    await waitUntil(async () => /master_link_status:up/.test(await info(replica, 'replication')), 30_000, 100);
    const sentinels: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const config = join(this.dir, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      await this.spawn(port, [config, '--sentinel']);
      sentinels.push(port);
    }
    // Every sentinel knows the replica and the other sentinels before a failover can be agreed on.
    await waitUntil(
      async () => {
        const views = await Promise.all(sentinels.map((port) => command(port, ['SENTINEL', 'MASTER', name])));
        return views.every((view) => {
          const fields = pairs(view as string[]);
          return fields['num-slaves'] === '1' && fields['num-other-sentinels'] === '2';
        });
      },
      30_000,
      200,
    );
    return { master, replica, sentinels };
  }

  /** SIGKILL the server on `port` (a crash, not a shutdown). */
  async kill(port: number): Promise<void> {
    const child = this.processes.get(port);
    if (!child) throw new Error(`no redis-server of ours on port ${port}`);
    this.processes.delete(port);
    await terminate(child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.onExit);
    await Promise.all([...this.processes.values()].map((child) => terminate(child, 'SIGTERM')));
    this.processes.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private killAll(): void {
    for (const child of this.processes.values()) child.kill('SIGKILL');
  }

  private async spawn(port: number, args: string[]): Promise<void> {
    const output: Buffer[] = [];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
    this.processes.set(port, child);
    try {
      await waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited:\n${Buffer.concat(output).toString()}`);
          return (await command(port, ['PING']).catch(() => undefined)) === 'PONG';
        },
        20_000,
        50,
      );
    } catch (error) {
      this.processes.delete(port);
      await terminate(child, 'SIGKILL');
      throw error;
    }
  }
}

/** One command on a fresh connection to a loopback server (no retries: it answers or fails). */
export async function command(port: number, args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

async function info(port: number, section: string): Promise<string> {
  return String(await command(port, ['INFO', section]).catch(() => ''));
}

function replicaInSync(replication: string): boolean {
  return !/role:slave/.test(replication) || /master_link_status:up/.test(replication);
}

async function clusterOk(port: number): Promise<boolean> {
  return /cluster_state:ok/.test(String(await command(port, ['CLUSTER', 'INFO']).catch(() => '')));
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

export async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
