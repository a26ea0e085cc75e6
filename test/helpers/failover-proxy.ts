import net from 'node:net';

/**
 * A stand-in for the load balancer in front of control-plane replicas: each connection goes to the
 * first backend that accepts it, so when one replica dies the next connection reaches another.
 */
export class FailoverProxy {
  readonly #server: net.Server;
  backends: { host: string; port: number }[] = [];

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async listen(): Promise<FailoverProxy> {
    const proxy: FailoverProxy = new FailoverProxy(net.createServer((client) => proxy.#forward(client, 0)));
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: net.Socket, index: number): void {
    const backend = this.backends[index];
    if (!backend) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream = net.connect(backend);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    // Refused (that replica is gone): the next one gets the connection. Once connected, an error ends both sides.
    upstream.on('error', () => {
      if (!connected) this.#forward(client, index + 1);
    });
  }
}
