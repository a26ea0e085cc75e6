import net from 'node:net';

/**
 * A TCP proxy in front of a broker that can lose responses: it forwards Kafka frames both ways and,
 * when told to, swallows the next responses to one API and cuts that connection, as a network
 * failure after the broker acted would. Clients then retry a request the broker already handled.
 * Point the broker's `advertised` address at the proxy so clients reach it after bootstrap too.
 */
export class FaultProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #target: { host: string; port: number } | undefined;
  #drops = new Map<number, number>();
  /** Responses swallowed so far, by API key. */
  readonly dropped = new Map<number, number>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(): Promise<FaultProxy> {
    const server = net.createServer();
    const proxy = new FaultProxy(server);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Where connections go; set once the broker has started. */
  forwardTo(host: string, port: number): void {
    this.#target = { host, port };
  }

  /** Swallows the next `count` responses to requests of `apiKey`, closing each such connection. */
  dropResponses(apiKey: number, count = 1): void {
    this.#drops.set(apiKey, (this.#drops.get(apiKey) ?? 0) + count);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    const target = this.#target;
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    this.#sockets.add(client).add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);

    // Request frames: int32 size, int16 apiKey, int16 apiVersion, int32 correlationId, ...
    const apiByCorrelation = new Map<number, number>();
    frames(client, (frame) => {
      if (frame.length >= 12) apiByCorrelation.set(frame.readInt32BE(8), frame.readInt16BE(4));
      upstream.write(frame);
    });
    // Response frames: int32 size, int32 correlationId, ...
    frames(upstream, (frame) => {
      const apiKey = frame.length >= 8 ? apiByCorrelation.get(frame.readInt32BE(4)) : undefined;
      const toDrop = apiKey === undefined ? 0 : (this.#drops.get(apiKey) ?? 0);
      if (apiKey !== undefined && toDrop > 0) {
        this.#drops.set(apiKey, toDrop - 1);
        this.dropped.set(apiKey, (this.dropped.get(apiKey) ?? 0) + 1);
        closeBoth();
        return;
      }
      client.write(frame);
    });
  }
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let buffer: Buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
    while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
      const size = 4 + buffer.readInt32BE(0);
      onFrame(buffer.subarray(0, size));
      buffer = buffer.subarray(size);
    }
  });
}
