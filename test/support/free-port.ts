import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now; `withBusPort`: port + 10000 free too (a Redis Cluster node's bus). */
export async function freePort(withBusPort = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: chosen } = server.address() as { port: number };
        server.close(() => resolve(chosen));
      });
    });
    if (!withBusPort) return port;
    if (port + 10000 <= 65535 && (await portFree(port + 10000))) return port;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
