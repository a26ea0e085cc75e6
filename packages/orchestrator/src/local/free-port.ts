import { createServer } from 'node:net';

/**
 * A TCP port free on `host` right now. The caller persists it as the broker's bootstrap port,
 * so it stays the same across restarts of both the broker and the control plane.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
