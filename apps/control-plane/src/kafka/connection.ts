import net from 'node:net';
import tls from 'node:tls';
import {
  Api,
  ErrorCode,
  FrameSizeError,
  FrameSplitter,
  ProtocolError,
  decodeResponseFrame,
  encodeRequestFrame,
  type ApiDefinition,
  type ApiVersionsResponse,
} from '@fjord/kafka-protocol';
import { KafkaConnectionError, KafkaError, throwIfError } from './errors.ts';

export interface SaslPlain {
  mechanism: 'plain';
  username: string;
  password: string;
}

/** TLS to the broker (SASL_SSL), trusting only `caPem` and checking the certificate names the host dialled. */
export interface ClientTls {
  caPem: string;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  sasl?: SaslPlain | null;
  tls?: ClientTls | null;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Larger answers close the connection: a broker never needs that much to answer an admin call. */
  maxResponseBytes?: number;
}

interface Pending {
  api: ApiDefinition;
  version: number;
  resolve: (body: any) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const CLIENT_SOFTWARE = { clientSoftwareName: 'fjord-control-plane', clientSoftwareVersion: '0.1.0' };

/**
 * One TCP connection to one broker. `open` negotiates API versions (the highest both sides know)
 * and authenticates; then `send` may be called any number of times without waiting: requests are
 * pipelined and answers matched by correlation id.
 */
export class KafkaConnection {
  readonly address: string;
  readonly #socket: net.Socket;
  readonly #options: Required<Omit<ConnectionOptions, 'sasl' | 'tls'>>;
  readonly #pending = new Map<number, Pending>();
  readonly #versions = new Map<number, { min: number; max: number }>();
  readonly #closeListeners: (() => void)[] = [];
  readonly #frames: FrameSplitter;
  #nextCorrelationId = 0;
  #closed = false;

  private constructor(socket: net.Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = {
      host: options.host,
      port: options.port,
      clientId: options.clientId ?? 'fjord-control-plane',
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    };
    this.address = `${options.host}:${options.port}`;
    // An answer starts with its correlation id.
    this.#frames = new FrameSplitter({ maxFrameBytes: this.#options.maxResponseBytes, minFrameBytes: 4 });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(new KafkaConnectionError('closed', `connection to ${this.address} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.#fail(new KafkaConnectionError('closed', `connection to ${this.address} closed`)));
  }

  /** Connects, negotiates versions and authenticates; a failure leaves no socket open. */
  static async open(options: ConnectionOptions): Promise<KafkaConnection> {
    const socket = await connect(options.host, options.port, options.connectTimeoutMs ?? 5_000, options.tls ?? null);
    const connection = new KafkaConnection(socket, options);
    try {
      await connection.#negotiate();
      if (options.sasl) await connection.#authenticate(options.sasl);
      return connection;
    } catch (err) {
      connection.close();
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** Whether the broker serves a version of `api` this codec speaks. */
  serves(api: ApiDefinition): boolean {
    const range = this.#versions.get(api.key);
    return range !== undefined && Math.min(api.maxVersion, range.max) >= Math.max(api.minVersion, range.min);
  }

  /** The version of `api` this connection speaks: the highest both this codec and the broker support. */
  versionOf(api: ApiDefinition): number {
    const range = this.#versions.get(api.key);
    const version = Math.min(api.maxVersion, range?.max ?? -1);
    if (!range || version < Math.max(api.minVersion, range.min)) {
      throw KafkaError.of('UNSUPPORTED_VERSION', `the broker at ${this.address} supports no version of ${api.name} this client speaks`);
    }
    return version;
  }

  send<Req, Res>(api: ApiDefinition<Req, Res>, body: Req, version = this.versionOf(api)): Promise<Res> {
    if (this.#closed) return Promise.reject(new KafkaConnectionError('closed', `connection to ${this.address} is closed`));
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequestFrame(api, version, correlationId, this.#options.clientId, body);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The broker may still answer later, but nothing tells us when: a fresh connection is cheaper than doubt.
        this.#fail(new KafkaConnectionError('timeout', `${api.name} to ${this.address} got no answer in ${this.#options.requestTimeoutMs} ms`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(correlationId, { api, version, resolve, reject, timer });
      this.#socket.write(frame);
    });
  }

  close(): void {
    this.#fail(new KafkaConnectionError('closed', `connection to ${this.address} closed by the client`));
  }

  async #negotiate(): Promise<void> {
    let version = Api.ApiVersions.maxVersion;
    let response: ApiVersionsResponse = await this.send(Api.ApiVersions, CLIENT_SOFTWARE, version);
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      // The broker lists its own ApiVersions range in the error answer (KIP-511): ask again in a version it knows.
      const theirs = response.apiKeys.find((k) => k.apiKey === Api.ApiVersions.key);
      version = Math.min(version, theirs?.maxVersion ?? 0);
      response = await this.send(Api.ApiVersions, CLIENT_SOFTWARE, version);
    }
    throwIfError(response.errorCode);
    for (const { apiKey, minVersion, maxVersion } of response.apiKeys) this.#versions.set(apiKey, { min: minVersion, max: maxVersion });
  }

  async #authenticate({ username, password }: SaslPlain): Promise<void> {
    const handshake = await this.send(Api.SaslHandshake, { mechanism: 'PLAIN' }, Math.max(1, this.versionOf(Api.SaslHandshake)));
    throwIfError(handshake.errorCode, `the broker does not offer SASL/PLAIN (it offers ${handshake.mechanisms.join(', ') || 'nothing'})`);
    const token = Buffer.from(`\0${username}\0${password}`, 'utf8');
    const answer = await this.send(Api.SaslAuthenticate, { authBytes: token });
    throwIfError(answer.errorCode, answer.errorMessage);
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#frames.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameSizeError)) throw err;
      this.#fail(new KafkaConnectionError('protocol', `the broker at ${this.address} sent a frame of ${err.size} bytes`));
      return;
    }
    for (const frame of frames) {
      this.#onFrame(frame);
      if (this.#closed) return;
    }
  }

  #onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.#pending.get(correlationId);
    if (!pending) {
      this.#fail(new KafkaConnectionError('protocol', `the broker at ${this.address} answered unknown correlation id ${correlationId}`));
      return;
    }
    this.#pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      pending.resolve(decodeResponseFrame(pending.api, pending.version, frame).body);
    } catch (err) {
      // A broker answers an ApiVersions version it does not know with a v0 body (KIP-511).
      if (pending.api.key === Api.ApiVersions.key && pending.version > 0) {
        try {
          pending.resolve(decodeResponseFrame(pending.api, 0, frame).body);
          return;
        } catch {
          // fall through: report the first failure
        }
      }
      const message = err instanceof ProtocolError ? err.message : String(err);
      pending.reject(new KafkaConnectionError('protocol', `undecodable ${pending.api.name} answer from ${this.address}: ${message}`, { cause: err }));
      this.#fail(new KafkaConnectionError('protocol', `connection to ${this.address} closed after an undecodable answer`));
    }
  }

  #fail(error: KafkaConnectionError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    for (const listener of this.#closeListeners) listener();
  }
}

function connect(host: string, port: number, timeoutMs: number, secure: ClientTls | null): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? // SNI takes names only; an IP address is checked against the certificate's IP entries.
        tls.connect({ host, port, ca: secure.caPem, servername: net.isIP(host) ? undefined : host }).setNoDelay(true).setKeepAlive(true)
      : net.connect({ host, port, noDelay: true, keepAlive: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new KafkaConnectionError('unreachable', `no connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new KafkaConnectionError('unreachable', `cannot reach ${host}:${port}: ${err.message}`, { cause: err }));
    });
  });
}
