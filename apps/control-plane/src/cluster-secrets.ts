import { hashSecret, type Credential } from '@fjord/broker-contract';
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SERVER_SECRET_BYTES } from './server-secret.ts';

/**
 * Per-cluster secrets derived from one server secret, so none is stored: the broker token the
 * control plane hands a cluster's brokers, and the SASL credential it uses itself to administer the
 * cluster; and keys that seal what must be stored (TLS private keys). The same derivation after a restart gives the same values, so running brokers keep working.
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

  /**
   * Encrypts `plaintext` (AES-256-GCM, a key derived per `purpose`) for storing in the database: a row
   * read without the server secret reveals nothing, and one moved to another purpose does not open.
   */
  seal(purpose: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#derive('seal', purpose), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The plaintext of `seal(purpose, ...)`; throws if it was sealed under another secret or purpose, or altered. */
  unseal(purpose: string, sealed: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('not a sealed value');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#derive('seal', purpose), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
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
