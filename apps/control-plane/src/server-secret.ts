import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Bytes of randomness the server secret must carry: `openssl rand -base64 32` or `openssl rand -hex 32`. */
export const SERVER_SECRET_BYTES = 32;

// 32 random bytes hold about 30 distinct values; fewer than this means repetition, not randomness.
const MIN_DISTINCT_BYTES = 16;

/**
 * Decodes a server secret given as hex or base64 (standard or URL-safe), refusing anything that is not
 * exactly such an encoding of at least 32 bytes that look random: a passphrase made of base64 letters
 * would otherwise decode to bytes, and those bytes are only as strong as the phrase. Throws a message
 * naming `name`.
 */
export function parseServerSecret(text: string, name: string): Buffer {
  const hint = `generate one with \`openssl rand -base64 ${SERVER_SECRET_BYTES}\``;
  const bytes = decodeExactly(text);
  if (!bytes) throw new Error(`${name} must be hex or base64 encoded bytes (${hint})`);
  if (bytes.length < SERVER_SECRET_BYTES) {
    throw new Error(`${name} encodes ${bytes.length} bytes; at least ${SERVER_SECRET_BYTES} are required (${hint})`);
  }
  if (!looksRandom(text, bytes)) throw new Error(`${name} does not look random: use random bytes, never a passphrase (${hint})`);
  return bytes;
}

function decodeExactly(text: string): Buffer | undefined {
  if (/^(?:[0-9a-f]{2})+$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) {
    const bytes = Buffer.from(text, 'base64');
    return bytes.toString('base64') === text ? bytes : undefined;
  }
  if (/^[A-Za-z0-9_-]+$/.test(text)) {
    const bytes = Buffer.from(text, 'base64url');
    return bytes.toString('base64url') === text ? bytes : undefined;
  }
  return undefined;
}

// Random hex mixes digits and letters, random base64 both cases, each all but certainly (the odds
// against are below 1e-9 at 32 bytes); words and repeated patterns fail one of the tests.
function looksRandom(text: string, bytes: Buffer): boolean {
  if (new Set(bytes).size < MIN_DISTINCT_BYTES) return false;
  if (/^[0-9a-f]+$/i.test(text)) return /[0-9]/.test(text) && /[a-f]/i.test(text);
  return /[A-Z]/.test(text) && /[a-z]/.test(text);
}

/**
 * The server secret: the configured one when given, else one generated on first start and kept in
 * `<dataDir>/secret-key` (mode 0600) for a single local control plane. Replicas must share it, so
 * production configuration requires FJORD_SECRET_KEY.
 */
export async function loadServerSecret(given: Buffer | undefined, dataDir: string): Promise<Buffer> {
  if (given) return given;
  const file = path.join(dataDir, 'secret-key');
  try {
    return parseServerSecret((await readFile(file, 'utf8')).trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const bytes = randomBytes(SERVER_SECRET_BYTES);
  // `wx`: two processes starting at once on one data dir must not both write a different secret.
  try {
    await writeFile(file, `${bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadServerSecret(undefined, dataDir);
    throw err;
  }
  await chmod(file, 0o600);
  return bytes;
}
