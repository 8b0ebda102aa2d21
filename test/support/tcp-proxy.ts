import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy the test controls: `cut()` drops every connection and refuses new ones,
 * simulating an outage without touching the shared server behind it.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  private down = false;
  private frozen = false;
  private blackHoled = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      if (this.blackHoled) return this.hold(client);
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      if (this.frozen) pause(pair);
      else connectPair(pair);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * A stall rather than an outage: connections stay open and new ones are accepted, but no byte
   * moves either way until `restore()` (what a hung server or a black-holed route looks like).
   */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) pause(pair);
  }

  /** Packets vanish: connections stay open and new ones are accepted, but nothing gets through (unlike `freeze()`, nothing is delivered later). */
  blackHole(): void {
    this.blackHoled = true;
    for (const socket of this.sockets) socket.unpipe().pause();
  }

  /** Accepted, never answered. */
  private hold(client: Socket): void {
    client.on('error', () => undefined).on('close', () => this.sockets.delete(client));
    this.sockets.add(client.pause());
  }

  restore(): void {
    if (this.blackHoled) for (const socket of this.sockets) socket.destroy(); // their bytes are lost; clients reconnect
    this.blackHoled = false;
    this.down = false;
    if (!this.frozen) return;
    this.frozen = false;
    for (const pair of this.pairs) connectPair(pair);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function connectPair([client, upstream]: [Socket, Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

function pause([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the elapsed milliseconds. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 5): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
