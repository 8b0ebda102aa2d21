import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port';
import { terminate } from './redis-servers';
import { waitUntil } from './tcp-proxy';

const BINARY = process.env.NATS_SERVER_BIN ?? 'nats-server';

/** A nats-server process of the suite's own on a free loopback port; `kill()`/`start()` again on the same port simulate a reset. */
export class NatsServer {
  private child: ChildProcess | undefined;
  private readonly onExit = () => this.child?.kill('SIGKILL');
  port = 0;

  static available(): boolean {
    return spawnSync(BINARY, ['--version'], { encoding: 'utf8' }).status === 0;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    const child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    this.child = child;
    process.once('exit', this.onExit);
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`nats-server on ${this.port} exited (${child.exitCode})`);
        return listening(this.port);
      },
      20_000,
      50,
    );
    return this;
  }

  /** SIGKILL: connections reset, nothing said. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.removeListener('exit', this.onExit);
    if (child) await terminate(child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.removeListener('exit', this.onExit);
    if (child) await terminate(child, 'SIGTERM');
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
