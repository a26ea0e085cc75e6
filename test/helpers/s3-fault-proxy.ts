import http from 'node:http';
import type net from 'node:net';

export type S3FaultMode =
  /** Every request goes through. */
  | 'pass'
  /** PUTs of `.log` objects are taken in and never answered, as an upload cut short by a crash would be. */
  | 'stall-log-puts'
  /** Every connection is reset at once, as when the S3 server is down. */
  | 'down';

/**
 * An HTTP proxy in front of an S3 API server on 127.0.0.1 that can hang uploads or play dead.
 * Brokers point their S3 endpoint at it; the test inspects the store directly.
 */
export class S3FaultProxy {
  readonly #server: http.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #target: number;
  mode: S3FaultMode = 'pass';
  /** Keys of the PUTs held by 'stall-log-puts'. */
  readonly stalled: string[] = [];

  private constructor(server: http.Server, targetPort: number) {
    this.#server = server;
    this.#target = targetPort;
  }

  static async start(targetPort: number): Promise<S3FaultProxy> {
    const server = http.createServer();
    const proxy = new S3FaultProxy(server, targetPort);
    server.on('connection', (socket) => {
      if (proxy.mode === 'down') {
        socket.destroy();
        return;
      }
      proxy.#sockets.add(socket);
      socket.on('close', () => proxy.#sockets.delete(socket));
    });
    server.on('request', (req, res) => proxy.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /** Drops held requests and open connections (a restarted client connects anew). */
  resetConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.resetConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.mode === 'stall-log-puts' && req.method === 'PUT' && /\.log(\?|$)/.test(url)) {
      this.stalled.push(url);
      req.resume();
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: this.#target, method: req.method, path: url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
