import { hashSecret, type Credential } from '@fjord/broker-contract';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SERVER_SECRET_BYTES } from './server-secret.ts';

/**
 * Per-cluster secrets derived from one server secret, so none is stored: the broker token the
 * control plane hands a cluster's brokers, and the SASL credential it uses itself to administer the
 * cluster. The same derivation after a restart gives the same values, so running brokers keep working.
 */
export class ClusterSecrets {
  readonly #key: Buffer;

  constructor(serverSecret: Buffer) {
    if (serverSecret.length < SERVER_SECRET_BYTES) throw new Error(`the server secret must be at least ${SERVER_SECRET_BYTES} bytes`);
    this.#key = serverSecret;
  }

  #derive(purpose: string, clusterId: string): Buffer {
    return createHmac('sha256', this.#key).update(`${purpose}\0${clusterId}`).digest();
  }

  /** What the cluster's brokers send as `Authorization: Bearer` to `/internal`. */
  brokerToken(clusterId: string): string {
    return `fjb_${this.#derive('broker-token', clusterId).toString('base64url')}`;
  }

  /** The control plane's own SASL/PLAIN credential on the cluster. */
  adminCredential(clusterId: string): { username: string; password: string } {
    return { username: `fjord-admin-${clusterId}`, password: this.#derive('admin-password', clusterId).toString('base64url') };
  }

  /** The admin credential as the broker verifies it; the salt is derived too, so the config is stable. */
  adminCredentialHash(clusterId: string): Credential {
    const { username, password } = this.adminCredential(clusterId);
    const salt = this.#derive('admin-salt', clusterId).subarray(0, 16);
    return { key: username, secretHash: hashSecret(password, salt) };
  }
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
