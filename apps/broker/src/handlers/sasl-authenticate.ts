import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { authenticatePlain } from '../server/sasl.ts';
import { defineHandler } from './handler.ts';

const EMPTY = Buffer.alloc(0);

export const saslAuthenticateHandler = defineHandler(Api.SaslAuthenticate, async (request, _version, ctx) => {
  const { session, broker } = ctx;
  if (session.sasl !== 'handshake-v1') {
    ctx.closeAfterResponse();
    return {
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate must follow a successful SaslHandshake',
      authBytes: EMPTY,
      sessionLifetimeMs: 0n,
    };
  }
  session.sasl = 'authenticating';
  const outcome = await authenticatePlain(request.authBytes, broker.sasl, session.remoteHost);
  if (!outcome.ok) {
    ctx.logger.warn({ reason: outcome.message }, 'SASL authentication failed');
    session.sasl = 'handshake-v1';
    ctx.closeAfterResponse();
    return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: outcome.message, authBytes: EMPTY, sessionLifetimeMs: 0n };
  }
  session.sasl = 'done';
  session.authenticated = true;
  session.principal = outcome.principal;
  ctx.logger.debug({ principal: outcome.principal }, 'SASL authenticated');
  return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0n };
});
