import net from 'node:net';
import tls from 'node:tls';
import type { BrokerContext } from '../broker-context.ts';
import type { Handler } from '../handlers/handler.ts';
import { Connection } from './connection.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { LogThrottle } from './log-throttle.ts';
import { ReadBufferPool } from './read-buffers.ts';

/** Free read buffers kept for reuse across all connections. */
const FREE_READ_BUFFER_BYTES = 64 * 1024 * 1024;

/** Longest a client may take over its TLS handshake before the socket is dropped. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The listener: accepts clients, over TLS when the config has a certificate, and tracks their
 * connections so shutdown can drain them.
 */
export class KafkaServer {
  readonly #server: net.Server;
  readonly #connections = new Set<Connection>();
  readonly #broker: BrokerContext;
  /** Sockets still in their TLS handshake: not connections yet, but shutdown must end them too. */
  readonly #handshaking = new Set<net.Socket>();

  /** `gate` admits connections under the cluster's and the client address's caps. */
  constructor(broker: BrokerContext, handlers: ReadonlyMap<number, Handler>, gate: ConnectionGate) {
    this.#broker = broker;
    const lateLogins = new LogThrottle(broker.logger, 'closing connection: not authenticated by the deadline');
    const readBuffers = new ReadBufferPool(FREE_READ_BUFFER_BYTES);
    // Counted against the caps from the moment it is accepted, before it costs a handshake; over them, dropped at once.
    const admit = (raw: net.Socket): (() => void) | undefined => {
      const host = raw.remoteAddress ?? '';
      if (gate.admit(host)) return () => gate.release(host);
      raw.destroy();
      return undefined;
    };
    const accept = (socket: net.Socket, onClose?: () => void) => {
      const connection = new Connection(socket, broker, handlers, lateLogins, readBuffers);
      this.#connections.add(connection);
      connection.socket.once('close', () => {
        this.#connections.delete(connection);
        onClose?.();
      });
    };
    const certificate = broker.config.tls;
    if (certificate) {
      const context = tls.createSecureContext({ cert: certificate.certPem, key: certificate.keyPem });
      this.#server = net.createServer((raw) => {
        const release = admit(raw);
        if (release) this.#handshake(raw, context, release, (socket) => accept(socket));
      });
    } else {
      // Paused until the connection takes over the socket and chooses where its reads land.
      this.#server = net.createServer({ pauseOnConnect: true }, (raw) => {
        const release = admit(raw);
        if (release) accept(raw, release);
      });
    }
    this.#server.on('error', (err) => broker.logger.error({ err }, 'listener error'));
  }

  /**
   * Wraps an accepted socket in TLS and hands it on once the handshake is done. A plaintext client or a
   * failed handshake costs its own socket only, and one that never finishes is dropped at the deadline.
   */
  #handshake(raw: net.Socket, secureContext: tls.SecureContext, release: () => void, accept: (socket: net.Socket) => void): void {
    this.#handshaking.add(raw);
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext });
    // The TLS socket closes whether the handshake failed or the connection ended later.
    socket.once('close', release);
    const timer = setTimeout(() => socket.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      this.#handshaking.delete(raw);
    };
    const onError = (err: Error) => {
      settle();
      this.#broker.logger.debug({ err: err.message, remote: raw.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    };
    socket.once('error', onError);
    socket.once('close', settle);
    socket.once('secure', () => {
      settle();
      socket.off('error', onError);
      accept(socket);
    });
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
    for (const socket of this.#handshaking) socket.destroy();
    await closed;
    this.#broker.logger.debug('listener closed');
  }
}
