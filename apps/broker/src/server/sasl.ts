import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialStore } from './credentials.ts';
import type { LoginBackoff } from './login-backoff.ts';

export const SASL_MECHANISMS = ['PLAIN'] as const;

export type SaslOutcome = { ok: true; principal: string } | { ok: false; message: string };

export interface SaslCredentials {
  store: CredentialStore;
  /** Off (auth "none"): any well-formed token passes, so clients configured for SASL still work against a development broker. */
  checkSecrets: boolean;
  /**
   * Asks the control plane for the newest credentials. Called for a username the store does not
   * know, so a key created a moment ago works on its first connection.
   */
  refresh?: () => Promise<void>;
  /** Delays the answers to failed logins, growing while a client address or key keeps failing. */
  backoff?: LoginBackoff;
}

/**
 * Checks a SASL/PLAIN token from `clientHost` against the cluster's API keys; a failure is answered
 * only after the back-off for that address and key.
 */
export async function authenticatePlain(token: Buffer, credentials: SaslCredentials, clientHost: string): Promise<SaslOutcome> {
  const { username, ...outcome } = await checkPlain(token, credentials);
  if (!outcome.ok && credentials.backoff) {
    await sleep(credentials.backoff.failed(clientHost, username), undefined, { ref: false });
  }
  return outcome;
}

/** RFC 4616: `[authzid] NUL authcid NUL passwd`; the username is the key id, the password its secret. */
async function checkPlain(token: Buffer, credentials: SaslCredentials): Promise<SaslOutcome & { username?: string }> {
  const first = token.indexOf(0);
  const second = first < 0 ? -1 : token.indexOf(0, first + 1);
  if (first < 0 || second < 0) return { ok: false, message: 'malformed SASL/PLAIN token' };
  const authzid = token.toString('utf8', 0, first);
  const username = token.toString('utf8', first + 1, second);
  const password = token.toString('utf8', second + 1);
  if (username.length === 0) return { ok: false, message: 'malformed SASL/PLAIN token' };
  if (authzid.length > 0 && authzid !== username) {
    return { ok: false, message: 'authorization id must be empty or equal the username', username };
  }
  if (!credentials.checkSecrets) return { ok: true, principal: username };
  if (!credentials.store.has(username) && credentials.refresh) await credentials.refresh();
  if (!credentials.store.verify(username, password)) {
    return { ok: false, message: 'Authentication failed: invalid username or password', username };
  }
  return { ok: true, principal: username };
}
