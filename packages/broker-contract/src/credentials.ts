import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * How a cluster API key's secret is stored and sent to brokers. Secrets are 32+ random bytes, so a
 * salted SHA-256 is as strong as any KDF here and keeps SASL handshakes cheap.
 * Format: `sha256$<salt base64>$<sha256(salt || secret) base64>`.
 */
const SCHEME = 'sha256';
const DIGEST_BYTES = 32;
const SALT_BYTES = 16;

export interface ParsedSecretHash {
  salt: Buffer;
  digest: Buffer;
}

export function hashSecret(secret: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  return `${SCHEME}$${salt.toString('base64')}$${digestOf(salt, secret).toString('base64')}`;
}

export function parseSecretHash(value: string): ParsedSecretHash | undefined {
  const parts = value.split('$');
  if (parts.length !== 3 || parts[0] !== SCHEME) return undefined;
  const salt = Buffer.from(parts[1]!, 'base64');
  const digest = Buffer.from(parts[2]!, 'base64');
  if (salt.length === 0 || digest.length !== DIGEST_BYTES) return undefined;
  return { salt, digest };
}

export const isSecretHash = (value: string): boolean => parseSecretHash(value) !== undefined;

/** Constant time whatever the outcome; an absent hash is checked against a dummy so a miss costs as much as a wrong secret. */
export function verifySecret(hash: ParsedSecretHash | undefined, secret: string): boolean {
  const digest = digestOf(hash?.salt ?? Buffer.alloc(SALT_BYTES), secret);
  return hash !== undefined && timingSafeEqual(digest, hash.digest);
}

function digestOf(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/** One SASL/PLAIN credential: the username and the hash of its password. */
export const credentialSchema = z.object({
  key: z.string().min(1),
  secretHash: z.string().refine(isSecretHash, `expected ${SCHEME}$<salt b64>$<hash b64>`),
});
export type Credential = z.infer<typeof credentialSchema>;

export const makeCredential = (key: string, secret: string): Credential => ({ key, secretHash: hashSecret(secret) });
