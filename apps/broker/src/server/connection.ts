import type { Socket } from 'node:net';
import { decodeRequestHeader, encodeResponseFrameChunks, ErrorCode, FrameSizeError, Reader } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';
import type { BrokerContext } from '../broker-context.ts';
import { supportedVersions, type Handler, type RequestContext } from '../handlers/handler.ts';
import { adoptSocket } from './adopt-socket.ts';
import { FrameReader } from './frame-reader.ts';
import type { LogThrottle } from './log-throttle.ts';
import type { ReadBufferPool, ReadLease } from './read-buffers.ts';
import { authenticatePlain } from './sasl.ts';
import { Session } from './session.ts';

/** Requests a connection may have in progress before the broker stops reading from it. */
const MAX_IN_FLIGHT = 16;

/** APIs allowed before SASL authentication completes. */
const PRE_AUTH_APIS = new Set([18 /* ApiVersions */, 17 /* SaslHandshake */, 36 /* SaslAuthenticate */]);

interface Reply {
  chunks: Buffer[];
  close: boolean;
  /** The read buffers the chunks refer to, released once they are written. */
  lease?: ReadLease;
}

/**
 * One client connection. Requests are decoded and started as they arrive (so produce requests
 * pipeline into the log's group commit), but responses leave strictly in request order, as the
 * protocol requires, even when a Fetch long-polls. Reading pauses while too many requests are in
 * flight or the socket's write buffer is full.
 */
export class Connection {
  readonly #socket: Socket;
  readonly #broker: BrokerContext;
  readonly #handlers: ReadonlyMap<number, Handler>;
  readonly #reader: FrameReader;
  readonly #session: Session;
  readonly #logger: Logger;
  readonly #readBuffers: ReadBufferPool;
  readonly #abort = new AbortController();
  #tail: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #closed = false;
  /** Set until the answer to a request sent before authentication is out; later frames wait for it. */
  #loginPending = false;
  /** Closes the connection if it has not authenticated in time. */
  #authDeadline: NodeJS.Timeout | undefined;
  /** Set while the client is throttled: no request is read until it fires. */
  #mute: NodeJS.Timeout | undefined;
  #mutedUntil = 0;

  /**
   * `lateLogins` logs the connections closed at the authentication deadline (a flood of them is one
   * line a second); `readBuffers` is where Fetch reads land, shared by the listener's connections.
   */
  constructor(accepted: Socket, broker: BrokerContext, handlers: ReadonlyMap<number, Handler>, lateLogins: LogThrottle, readBuffers: ReadBufferPool) {
    this.#broker = broker;
    this.#readBuffers = readBuffers;
    this.#handlers = handlers;
    const { limits } = broker.config;
    const authRequired = broker.config.auth === 'sasl_plain';
    this.#reader = new FrameReader(authRequired ? limits.maxPreAuthRequestBytes : limits.maxRequestBytes);
    this.#session = new Session(accepted.remoteAddress ?? '', accepted.remotePort ?? 0, authRequired);
    if (authRequired) {
      this.#authDeadline = setTimeout(() => {
        lateLogins.note({ remote: this.#session.remoteAddress, authDeadlineMs: limits.authDeadlineMs });
        this.close();
      }, limits.authDeadlineMs);
    }
    this.#logger = broker.logger.child({ remote: this.#session.remoteAddress });
    const socket = adoptSocket(accepted, { nextBuffer: () => this.#reader.nextBuffer(), onRead: (n) => this.#onRead(n) });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('drain', () => this.#updateFlow());
    socket.on('error', (err) => this.#logger.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.#onClose());
  }

  get socket(): Socket {
    return this.#socket;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The cluster API key this connection authenticated as, if any. */
  get principal(): string | undefined {
    return this.#session.principal;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#authDeadline);
    clearTimeout(this.#mute);
    this.#abort.abort();
    this.#socket.destroy();
  }

  /** Stops reading and ends long polls early; answers to requests already started are still written. */
  async drain(): Promise<void> {
    this.#socket.pause();
    this.#abort.abort();
    await this.#tail;
    this.#socket.end();
  }

  #onClose(): void {
    this.#closed = true;
    clearTimeout(this.#authDeadline);
    clearTimeout(this.#mute);
    this.#abort.abort();
  }

  /** Lifts the pre-authentication limits once a login has succeeded. */
  #onAuthenticated(): void {
    clearTimeout(this.#authDeadline);
    this.#reader.maxFrameBytes = this.#broker.config.limits.maxRequestBytes;
  }

  #onRead(n: number): void {
    this.#reader.commit(n);
    this.#takeFrames();
  }

  /**
   * Handles the frames read so far. Before authentication they are taken one at a time, as Kafka
   * does: a request pipelined behind SaslAuthenticate waits for the login's outcome, so it is judged
   * (frame size limit, authenticated or not) by the state that login leaves, not the state before it.
   */
  #takeFrames(): void {
    try {
      while (!this.#closed && !this.#loginPending && !this.#mute) {
        const frame = this.#reader.next();
        if (!frame) break;
        const answered = this.#onFrame(frame);
        if (this.#session.authenticated) this.#onAuthenticated();
        else if (answered) this.#holdUntil(answered);
      }
    } catch (err) {
      // Whatever a client sends costs it at most its own connection.
      if (err instanceof FrameSizeError) this.#logger.warn({ err: err.message }, 'closing connection: bad frame size');
      else this.#logger.error({ err }, 'closing connection: unexpected error');
      this.close();
      return;
    }
    this.#updateFlow();
  }

  /** Reading resumes once the response is out, so after a failed login (answered, then closed) nothing more is read. */
  #holdUntil(answered: Promise<void>): void {
    this.#loginPending = true;
    void answered.then(() => {
      this.#loginPending = false;
      if (this.#session.authenticated) this.#onAuthenticated();
      this.#takeFrames();
    });
  }

  /** Starts one request; returns when its response will have been written, or undefined if the connection closed. */
  #onFrame(frame: Buffer): Promise<void> | undefined {
    if (this.#session.sasl === 'handshake-v0') return this.#onRawSaslToken(frame);
    const reader = new Reader(frame);
    let header: ReturnType<typeof decodeRequestHeader>;
    try {
      header = decodeRequestHeader(reader);
    } catch (err) {
      this.#logger.warn({ err: (err as Error).message }, 'closing connection: unreadable request header');
      this.close();
      return undefined;
    }
    const { apiKey, apiVersion, correlationId } = header;
    this.#session.clientId = header.clientId ?? null;
    const handler = this.#handlers.get(apiKey);
    if (!handler || !handler.api.isSupported(apiVersion)) {
      this.#logger.info({ apiKey, apiVersion }, 'unsupported API or version');
      return this.#enqueue(Promise.resolve(this.#unsupported(apiKey, correlationId)));
    }
    if (!this.#session.authenticated && !PRE_AUTH_APIS.has(apiKey)) {
      this.#logger.warn({ api: handler.api.name }, 'closing connection: request before SASL authentication');
      this.close();
      return undefined;
    }
    let request: unknown;
    try {
      request = handler.api.decodeRequest(apiVersion, reader);
    } catch (err) {
      this.#logger.warn({ api: handler.api.name, apiVersion, err: (err as Error).message }, 'closing connection: malformed request');
      this.close();
      return undefined;
    }
    let close = false;
    const lease = this.#readBuffers.lease();
    const ctx: RequestContext = {
      broker: this.#broker,
      session: this.#session,
      correlationId,
      logger: this.#logger,
      signal: this.#abort.signal,
      closeAfterResponse: () => {
        close = true;
      },
      throttle: (ms) => this.#throttle(ms),
      allocate: lease.allocate,
    };
    const reply = (async (): Promise<Reply | null> => {
      try {
        const body = await handler.handle(request, apiVersion, ctx);
        if (body !== null) return { chunks: encodeResponseFrameChunks(handler.api, apiVersion, correlationId, body), close, lease };
      } catch (err) {
        lease.release();
        throw err;
      }
      lease.release();
      return null;
    })();
    return this.#enqueue(reply, handler.api.name);
  }

  /** After SaslHandshake v0 the client sends the bare token; success is an empty frame, failure a closed socket. */
  #onRawSaslToken(token: Buffer): Promise<void> {
    this.#session.sasl = 'authenticating';
    const reply = authenticatePlain(token, this.#broker.sasl, this.#session.remoteHost).then((outcome): Reply => {
      if (!outcome.ok) {
        this.#logger.warn({ reason: outcome.message }, 'SASL authentication failed');
        return { chunks: [], close: true };
      }
      this.#session.sasl = 'done';
      this.#session.authenticated = true;
      this.#session.principal = outcome.principal;
      return { chunks: [Buffer.alloc(4)], close: false };
    });
    return this.#enqueue(reply, 'SaslAuthenticate');
  }

  /**
   * A request this broker cannot decode still gets an answer: the correlation id followed by
   * UNSUPPORTED_VERSION, which is how every response body of the APIs concerned starts
   * (ApiVersions v0 is answered in full, since that is how clients learn the versions).
   */
  #unsupported(apiKey: number, correlationId: number): Reply {
    const apiVersions = this.#handlers.get(18);
    if (apiKey === 18 && apiVersions) {
      const body = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: supportedVersions(this.#handlers), throttleTimeMs: 0 };
      return { chunks: encodeResponseFrameChunks(apiVersions.api, 0, correlationId, body), close: false };
    }
    const frame = Buffer.alloc(10);
    frame.writeInt32BE(6, 0);
    frame.writeInt32BE(correlationId, 4);
    frame.writeInt16BE(ErrorCode.UNSUPPORTED_VERSION, 8);
    return { chunks: [frame], close: false };
  }

  #enqueue(reply: Promise<Reply | null>, api?: string): Promise<void> {
    this.#inFlight++;
    // Settle now: a handler failing while earlier requests are still pending must not be an unhandled rejection.
    const settled = reply.then(
      (r) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    // Start the next write only after the previous one, whatever order the handlers finish in.
    this.#tail = this.#tail
      .then(() => settled)
      .then((outcome) => {
        if (this.#closed) {
          if (outcome.ok) outcome.r?.lease?.release();
          return;
        }
        if (!outcome.ok) {
          this.#logger.error({ err: outcome.err, api }, 'closing connection: request failed');
          this.close();
          return;
        }
        if (outcome.r === null) return;
        this.#write(outcome.r.chunks, outcome.r.lease);
        if (outcome.r.close) {
          this.#closed = true;
          this.#abort.abort();
          this.#socket.end();
        }
      })
      .catch((err: unknown) => {
        this.#logger.error({ err, api }, 'closing connection: response could not be written');
        this.close();
      })
      .finally(() => {
        this.#inFlight--;
        this.#updateFlow();
      });
    return this.#tail;
  }

  /** Writes the chunks in one go; the lease is released when the socket is done with the last of them. */
  #write(chunks: Buffer[], lease?: ReadLease): void {
    // A failed write leaves the buffers to the garbage collector rather than risk reusing one still queued.
    const written = lease && ((err?: Error | null) => void (err ? undefined : lease.release()));
    if (chunks.length === 1) {
      this.#socket.write(chunks[0]!, written);
      return;
    }
    this.#socket.cork();
    for (let i = 0; i < chunks.length; i++) this.#socket.write(chunks[i]!, i === chunks.length - 1 ? written : undefined);
    this.#socket.uncork();
  }

  /** As Kafka mutes a throttled client's channel: the answer goes out at once, the next request waits. */
  #throttle(ms: number): void {
    const until = Date.now() + ms;
    if (ms <= 0 || this.#closed || until <= this.#mutedUntil) return;
    this.#mutedUntil = until;
    clearTimeout(this.#mute);
    this.#mute = setTimeout(() => {
      this.#mute = undefined;
      this.#takeFrames();
    }, ms);
    this.#updateFlow();
  }

  #updateFlow(): void {
    if (this.#closed) return;
    const busy = this.#mute !== undefined || this.#loginPending || this.#inFlight >= MAX_IN_FLIGHT || this.#socket.writableNeedDrain;
    if (busy && !this.#socket.isPaused()) this.#socket.pause();
    else if (!busy && this.#socket.isPaused()) this.#socket.resume();
  }
}
