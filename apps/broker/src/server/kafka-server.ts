import net from 'node:net';
import type { BrokerContext } from '../broker-context.ts';
import type { Handler } from '../handlers/handler.ts';
import { Connection } from './connection.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { LogThrottle } from './log-throttle.ts';

/** The TCP listener: accepts clients and tracks their connections so shutdown can drain them. */
export class KafkaServer {
  readonly #server: net.Server;
  readonly #connections = new Set<Connection>();
  readonly #broker: BrokerContext;

  /** `gate` admits connections under the cluster's and the client address's caps. */
  constructor(broker: BrokerContext, handlers: ReadonlyMap<number, Handler>, gate: ConnectionGate) {
    this.#broker = broker;
    const lateLogins = new LogThrottle(broker.logger, 'closing connection: not authenticated by the deadline');
    // Paused until the connection takes over the socket and chooses where its reads land.
    this.#server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      const host = accepted.remoteAddress ?? '';
      if (!gate.admit(host)) {
        accepted.destroy();
        return;
      }
      const connection = new Connection(accepted, broker, handlers, lateLogins);
      this.#connections.add(connection);
      connection.socket.once('close', () => {
        this.#connections.delete(connection);
        gate.release(host);
      });
    });
    this.#server.on('error', (err) => broker.logger.error({ err }, 'listener error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Closes every connection authenticated as one of `principals` (their keys were revoked). */
  closeConnectionsOf(principals: ReadonlySet<string>): void {
    for (const connection of this.#connections) {
      const principal = connection.principal;
      if (principal === undefined || !principals.has(principal)) continue;
      this.#broker.logger.info({ principal }, 'closing a connection whose API key was revoked');
      connection.close();
    }
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError);
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, lets each connection finish the requests it has started, then closes it. */
  async close(graceMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const drained = Promise.all([...this.#connections].map((c) => c.drain()));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([drained, timeout]);
    for (const c of this.#connections) c.close();
    await closed;
    this.#broker.logger.debug('listener closed');
  }
}
