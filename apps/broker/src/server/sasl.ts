import type { CredentialStore } from './credentials.ts';

export const SASL_MECHANISMS = ['PLAIN'] as const;

export type SaslOutcome = { ok: true; principal: string } | { ok: false; message: string };

/**
 * Checks a SASL/PLAIN token (RFC 4616: `[authzid] NUL authcid NUL passwd`) against the cluster's API keys:
 * the username is the key id, the password its secret. With `checkSecrets` off (auth "none") any
 * well-formed token passes, so clients configured for SASL still work against a development broker.
 */
export function authenticatePlain(token: Buffer, credentials: CredentialStore, checkSecrets: boolean): SaslOutcome {
  const first = token.indexOf(0);
  const second = first < 0 ? -1 : token.indexOf(0, first + 1);
  if (first < 0 || second < 0) return { ok: false, message: 'malformed SASL/PLAIN token' };
  const authzid = token.toString('utf8', 0, first);
  const username = token.toString('utf8', first + 1, second);
  const password = token.toString('utf8', second + 1);
  if (username.length === 0) return { ok: false, message: 'malformed SASL/PLAIN token' };
  if (authzid.length > 0 && authzid !== username) {
    return { ok: false, message: 'authorization id must be empty or equal the username' };
  }
  if (checkSecrets && !credentials.verify(username, password)) {
    return { ok: false, message: 'Authentication failed: invalid username or password' };
  }
  return { ok: true, principal: username };
}
