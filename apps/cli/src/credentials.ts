import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { CliError } from './errors.ts';

export const defaultUrl = 'http://127.0.0.1:8080';

/** Where `fjord login` keeps the API URL and token: the user's config dir (XDG_CONFIG_HOME on Linux). */
export function credentialsFile(): string {
  return path.join(envPaths('fjord', { suffix: '' }).config, 'credentials.json');
}

export interface Credentials {
  url: string;
  token?: string;
  /** Where they came from, for `whoami` and error messages. */
  source: string;
}

interface StoredCredentials {
  url?: string;
  token?: string;
}

async function readStored(file: string): Promise<StoredCredentials> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new CliError('FJ_CLI_E0002', `cannot read ${file}: ${err.message}`);
  });
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text) as StoredCredentials;
    return { url: typeof parsed.url === 'string' ? parsed.url : undefined, token: typeof parsed.token === 'string' ? parsed.token : undefined };
  } catch {
    throw new CliError('FJ_CLI_E0002', `${file} is not valid JSON: run \`fjord login\` again`);
  }
}

/** FJORD_URL and FJORD_TOKEN win over what `fjord login` stored; the URL defaults to the local control plane. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const file = credentialsFile();
  const stored = await readStored(file);
  const url = env.FJORD_URL || stored.url || defaultUrl;
  if (env.FJORD_TOKEN) return { url, token: env.FJORD_TOKEN, source: 'FJORD_TOKEN' };
  return { url, token: stored.token, source: stored.token ? file : 'nowhere' };
}

/** Saves the credentials readable by the user alone (0600, in a 0700 directory). */
export async function storeCredentials(file: string, credentials: { url: string; token: string }): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an older one keeps its mode otherwise.
  await chmod(file, 0o600);
}

export async function forgetCredentials(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
