import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { waitUntil } from './tcp-proxy';

const ROOT = resolve(__dirname, '../..');
const HOOK = join(__dirname, 'transpile-on-require.js');

/** One demo instance in its own process, as `npm start` runs it: its own OpenTelemetry SDK, its own globals. */
export interface DemoProcess {
  base: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GET /metrics as Prometheus text. */
  metrics(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export async function startDemoProcess(port: number, env: Record<string, string>): Promise<DemoProcess> {
  const chunks: Buffer[] = [];
  const child: ChildProcess = spawn(process.execPath, ['-r', HOOK, join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const base = `http://127.0.0.1:${port}`;
  const output = () => Buffer.concat(chunks).toString('utf8');
  const demo: DemoProcess = {
    base,
    get: (path, headers = {}) => fetch(base + path, { headers }),
    post: (path, body, headers = {}) =>
      fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) }),
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`demo exited (${child.exitCode}):\n${output()}`);
      return (await fetch(`${base}/health`).catch(() => undefined))?.status === 200;
    }, 90_000, 100);
  } catch (error) {
    await demo.stop();
    throw error;
  }
  return demo;
}
