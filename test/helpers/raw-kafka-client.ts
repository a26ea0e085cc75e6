import net from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, type ApiDefinition } from '@fjord/kafka-protocol';

/**
 * A bare TCP connection speaking Kafka frames, for tests that send what no real client would:
 * hand-made, truncated or corrupt frames, and requests read back byte for byte.
 */
export class RawKafkaClient {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #correlationId = 0;
  #isClosed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      this.#isClosed = true;
      this.#wake();
    });
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RawKafkaClient(socket)));
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
      if (this.#buffer.length >= 4) {
        const size = this.#buffer.readInt32BE(0);
        if (this.#buffer.length >= 4 + size) {
          const frame = this.#buffer.subarray(4, 4 + size);
          this.#buffer = this.#buffer.subarray(4 + size);
          return frame;
        }
      }
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
