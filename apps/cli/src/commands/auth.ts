import { createClient } from '@fjord/sdk';
import type { Context } from '../context.ts';
import { credentialsFile, forgetCredentials, storeCredentials } from '../credentials.ts';
import { CliError } from '../errors.ts';
import { fields } from '../io/table.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function login(ctx: Context, options: { url?: string; token?: string }) {
  const url = options.url ?? ctx.credentials.url;
  const token = options.token ?? (process.stdin.isTTY ? undefined : await readStdin());
  if (!token) throw new CliError('FJ_CLI_E0002', 'give the cloud API key with --token, or on stdin');
  // A key that does not work is not kept: the check is the login.
  const me = await createClient({ baseUrl: url, apiKey: token }).me();
  const file = credentialsFile();
  await storeCredentials(file, { url, token });
  ctx.io.notify('FJ_CLI_I1004', `credentials for ${url} saved in ${file} (mode 0600)`);
  ctx.io.result(me, () => `Logged in to ${me.organization.name} (${me.organization.id}) as ${me.role}.`);
}

export async function logout(ctx: Context) {
  const file = credentialsFile();
  const removed = await forgetCredentials(file);
  ctx.io.result({ removed, file }, () => (removed ? `removed ${file}` : `no credentials kept in ${file}`));
}

export async function whoami(ctx: Context) {
  const me = await ctx.api().me();
  ctx.io.result({ ...me, url: ctx.credentials.url, credentials: ctx.credentials.source }, () =>
    fields([
      ['organization', `${me.organization.name} (${me.organization.id})`],
      ['role', me.role],
      ['user', me.user?.email],
      ['api key', me.apiKey ? `${me.apiKey.description} (${me.apiKey.id})` : undefined],
      ['url', ctx.credentials.url],
      ['credentials', ctx.credentials.source],
    ]),
  );
}
