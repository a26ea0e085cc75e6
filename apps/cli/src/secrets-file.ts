import { chmod, readFile, writeFile } from 'node:fs/promises';
import { CliError } from './errors.ts';
import type { CreatedSecret } from './plan/apply.ts';

/**
 * A JSON array of created cluster API keys with their secrets, readable by the user alone (0600).
 * New keys are added to what the file already holds, so a second apply never loses the first one's secrets.
 */
export async function addSecrets(file: string, secrets: CreatedSecret[]): Promise<void> {
  const existing = await readSecrets(file).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  await writeFile(file, `${JSON.stringify([...existing, ...secrets], null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

export async function readSecrets(file: string): Promise<CreatedSecret[]> {
  const text = await readFile(file, 'utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as CreatedSecret[];
  } catch {
    // answered below
  }
  throw new CliError('FJ_CLI_E0001', `${file} is not a secrets file written by fjord (a JSON array of keys)`);
}
