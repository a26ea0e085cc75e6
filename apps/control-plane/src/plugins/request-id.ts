import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

export const requestIdHeader = 'x-request-id';
const acceptable = /^[\w.:-]{1,128}$/;

/** Keeps a caller's (or a proxy's) request id when it is sane, else makes one. */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers[requestIdHeader];
  return typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
}

/** Echoes the request id on every answer, so a report of a failure can be found in the logs. */
export const requestId = fp(
  async (app) => {
    app.addHook('onSend', async (req, reply) => {
      reply.header(requestIdHeader, req.id);
    });
  },
  { name: 'fjord-request-id' },
);
