import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerSecret, parseServerSecret } from '../src/server-secret.ts';

describe('the server secret', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fjord-secret-'));
    dirs.push(dir);
    return dir;
  };

  it('accepts exactly the hex, base64 or base64url encoding of 32 random bytes or more', () => {
    const bytes = randomBytes(48);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(parseServerSecret(bytes.toString(encoding), 'K')).toEqual(bytes);
  });

  it.each([
    ['a passphrase', 'correct horse battery staple, twice: correct horse battery staple'],
    ['words that happen to be base64', 'thisisalongpassphrasemadeofbase64lettersonly'],
    ['a repeated pattern', 'PasswordPasswordPasswordPasswordPasswordPass'],
    ['repeated hex', '00'.repeat(32)],
    ['too few bytes', randomBytes(31).toString('base64')],
    ['base64 with unused bits set', `${randomBytes(32).toString('base64').slice(0, 42)}B=`],
  ])('refuses %s, naming the variable', (_what, text) => {
    expect(() => parseServerSecret(text, 'FJORD_SECRET_KEY')).toThrow(/^FJORD_SECRET_KEY /);
  });

  it('without one configured, generates one under the data directory (0600) and reads it back', async () => {
    const dir = await tempDir();
    const first = await loadServerSecret(undefined, dir);
    expect(first).toHaveLength(32);
    expect((await stat(path.join(dir, 'secret-key'))).mode & 0o777).toBe(0o600);
    expect(await loadServerSecret(undefined, dir)).toEqual(first);
    expect((await readFile(path.join(dir, 'secret-key'), 'utf8')).trim()).toBe(first.toString('base64'));
  });

  it('refuses a weak stored secret, naming its file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'secret-key'), 'my passphrase\n');
    await expect(loadServerSecret(undefined, dir)).rejects.toThrow(path.join(dir, 'secret-key'));
  });
});
