import type { ApiDefinition } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';
import type { BrokerContext } from '../broker-context.ts';
import type { Session } from '../server/session.ts';

export interface RequestContext {
  readonly broker: BrokerContext;
  readonly session: Session;
  readonly correlationId: number;
  readonly logger: Logger;
  /** Aborted when the connection closes, so a long-polling Fetch stops waiting. */
  readonly signal: AbortSignal;
  /** Closes the connection once this request's response is written (a failed SASL authentication). */
  closeAfterResponse(): void;
  /** Stops reading this connection's requests for `ms` (a client over its quota, KIP-219). */
  throttle(ms: number): void;
  /** A buffer for log reads whose bytes go into this request's response; reused once the response is written. */
  allocate(size: number): Buffer;
}

/**
 * Answers one API. Returning null sends no response (Produce with acks=0). Expected failures are
 * answered with Kafka error codes in the response body; a throw closes the connection.
 */
export interface Handler<Req = any, Res = any> {
  readonly api: ApiDefinition<Req, Res>;
  handle(request: Req, version: number, ctx: RequestContext): Promise<Res | null> | Res | null;
}

export function defineHandler<Req, Res>(
  api: ApiDefinition<Req, Res>,
  handle: Handler<Req, Res>['handle'],
): Handler<Req, Res> {
  return { api, handle };
}

/** The ApiVersions table for a set of handlers. */
export function supportedVersions(handlers: ReadonlyMap<number, Handler>) {
  return [...handlers.values()]
    .map(({ api }) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
