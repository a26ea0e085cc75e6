import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Cluster API key secrets are 32+ random bytes, so a salted SHA-256 is as strong as any KDF here
 * and keeps SASL handshakes cheap. Format: `sha256$<salt base64>$<sha256(salt || secret) base64>`.
 */
export interface Credential {
  key: string;
  secretHash: string;
}

interface ParsedHash {
  salt: Buffer;
  digest: Buffer;
}

const SCHEME = 'sha256';
const DIGEST_BYTES = 32;

export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): string {
  const digest = createHash('sha256').update(salt).update(secret, 'utf8').digest();
  return `${SCHEME}$${salt.toString('base64')}$${digest.toString('base64')}`;
}

export function makeCredential(key: string, secret: string): Credential {
  return { key, secretHash: hashSecret(secret) };
}

export function isSecretHash(value: string): boolean {
  return parseSecretHash(value) !== undefined;
}

function parseSecretHash(value: string): ParsedHash | undefined {
  const parts = value.split('$');
  if (parts.length !== 3 || parts[0] !== SCHEME) return undefined;
  const salt = Buffer.from(parts[1]!, 'base64');
  const digest = Buffer.from(parts[2]!, 'base64');
  if (salt.length === 0 || digest.length !== DIGEST_BYTES) return undefined;
  return { salt, digest };
}

/** Verifies secrets against the credentials currently in force; swapped whole when the control plane sends new ones. */
export class CredentialStore {
  #byKey = new Map<string, ParsedHash>();

  constructor(credentials: readonly Credential[] = []) {
    this.replace(credentials);
  }

  replace(credentials: readonly Credential[]): void {
    const next = new Map<string, ParsedHash>();
    for (const { key, secretHash } of credentials) {
      const parsed = parseSecretHash(secretHash);
      if (parsed) next.set(key, parsed);
    }
    this.#byKey = next;
  }

  get size(): number {
    return this.#byKey.size;
  }

  verify(key: string, secret: string): boolean {
    const entry = this.#byKey.get(key);
    // Hash even for an unknown key so a miss costs the same as a wrong secret.
    const salt = entry?.salt ?? Buffer.alloc(16);
    const digest = createHash('sha256').update(salt).update(secret, 'utf8').digest();
    return entry !== undefined && timingSafeEqual(digest, entry.digest);
  }
}
