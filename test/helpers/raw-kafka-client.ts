import net from 'node:net';
import tls from 'node:tls';
import { FrameSplitter, decodeResponseFrame, encodeRequestFrame, type ApiDefinition } from '@fjord/kafka-protocol';

/** Far above any answer a test provokes; a larger size prefix means the stream is out of step. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * A bare TCP connection speaking Kafka frames, for tests that send what no real client would:
 * hand-made, truncated or corrupt frames, and requests read back byte for byte.
 */
export class RawKafkaClient {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  readonly #splitter = new FrameSplitter({ maxFrameBytes: MAX_RESPONSE_BYTES });
  readonly #frames: Buffer[] = [];
  #waiters: (() => void)[] = [];
  #correlationId = 0;
  #isClosed = false;
  /** Why reading stopped, when the broker's bytes were not frames. */
  #streamError: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      this.#isClosed = true;
      this.#wake();
    });
    socket.on('data', (d: Buffer) => {
      try {
        this.#frames.push(...this.#splitter.push(d));
      } catch (err) {
        this.#streamError = err as Error;
        socket.destroy();
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Over TLS when given the CA to verify the broker with (its certificate must name `host`). */
  static connect(port: number, host = '127.0.0.1', secure?: { caPem: string }): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ port, host, ca: secure.caPem, servername: net.isIP(host) ? undefined : host }, () => resolve(new RawKafkaClient(socket)))
        : net.connect({ port, host }, () => resolve(new RawKafkaClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next whole frame (without its size prefix), or undefined if the connection closes first. */
  async readFrame(): Promise<Buffer | undefined> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.#streamError) throw this.#streamError;
      if (this.#isClosed) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  nextCorrelationId(): number {
    return ++this.#correlationId;
  }

  /** Sends a well-formed request and decodes its response; rejects if the broker closes the connection instead. */
  async request<Res = any>(api: ApiDefinition, version: number, body: unknown): Promise<Res> {
    const correlationId = this.nextCorrelationId();
    this.write(encodeRequestFrame(api, version, correlationId, 'raw-test', body));
    const frame = await this.readFrame();
    if (!frame) throw new Error(`connection closed before the ${api.name} response`);
    const decoded = decodeResponseFrame(api, version, frame);
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body as Res;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
