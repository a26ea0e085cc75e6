import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { SASL_MECHANISMS } from '../server/sasl.ts';
import { defineHandler } from './handler.ts';

export const saslHandshakeHandler = defineHandler(Api.SaslHandshake, (request, version, { session }) => {
  const mechanisms = [...SASL_MECHANISMS];
  if (session.sasl !== 'none') return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
  if (!(SASL_MECHANISMS as readonly string[]).includes(request.mechanism)) {
    return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
  }
  // v0 means the client sends its token next as a bare frame instead of a SaslAuthenticate request.
  session.sasl = version === 0 ? 'handshake-v0' : 'handshake-v1';
  return { errorCode: ErrorCode.NONE, mechanisms };
});
