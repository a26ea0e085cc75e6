import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { problemContentType, problems, type ProblemDefinition } from '@fjord/api';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { problemBody, sendProblem } from './problem-details.ts';
import { requestIdHeader } from './request-id.ts';

// What the HTTP layer refuses before any route, hook or error handler runs. fastify and Node answer
// these with their own JSON; here they leave as problem details like every other error.

/** Router errors: a path that is not valid percent-encoding, or a path parameter over `maxParamLength`. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, req, reply) => {
  reply.header(requestIdHeader, req.id);
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(req, reply, problems.FJ_URI_TOO_LONG, 'a path parameter is too long');
  if (err.code === 'FST_ERR_BAD_URL') return sendProblem(req, reply, problems.FJ_BAD_REQUEST, 'the path is not valid percent-encoding');
  req.log.error({ err }, 'request failed before routing');
  return sendProblem(req, reply, problems.FJ_INTERNAL, 'an internal error occurred; quote the request id when reporting it');
};

function clientProblem(code: string | undefined): { definition: ProblemDefinition; detail: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { definition: problems.FJ_REQUEST_TIMEOUT, detail: 'the request headers did not arrive in time' };
  if (code === 'HPE_HEADER_OVERFLOW') return { definition: problems.FJ_HEADERS_TOO_LARGE, detail: 'the request headers are over the size limit' };
  return { definition: problems.FJ_BAD_REQUEST, detail: `the request could not be parsed as HTTP/1.1 (${code ?? 'unknown error'})` };
}

/**
 * Requests Node's HTTP parser rejects (a malformed request line or header, headers too large, too
 * slow) never reach fastify: the answer is written to the socket, which is then closed.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { definition, detail } = clientProblem(err.code);
  const requestId = randomUUID();
  this.log.debug({ err, requestId }, 'client error');
  if (socket.writable) {
    // No request line was parsed, so there is no path to name as the instance.
    const body = JSON.stringify(problemBody(definition, detail, '', requestId));
    socket.write(
      `HTTP/1.1 ${definition.status} ${STATUS_CODES[definition.status]}\r\n` +
        `Content-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${requestIdHeader}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
