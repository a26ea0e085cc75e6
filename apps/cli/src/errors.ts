import { FjordApiError } from '@fjord/sdk';
import { NotInteractiveError } from './io/io-host.ts';
import type { MessageCode } from './io/messages.ts';

/** A failure the CLI explains in one message and exits 1 with: never a stack trace. */
export class CliError extends Error {
  constructor(
    readonly code: MessageCode,
    message: string,
  ) {
    super(message);
  }
}

const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function causeCode(err: unknown): string | undefined {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && unreachable.has(e.code)) return e.code;
    if (Array.isArray((e as { errors?: unknown[] }).errors)) {
      const inner = (e as { errors: unknown[] }).errors.map(causeCode).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** What to tell the user about any failure, and under which code. */
export function explain(err: unknown, url: string): { code: MessageCode; message: string } {
  if (err instanceof CliError) return { code: err.code, message: err.message };
  if (err instanceof NotInteractiveError) {
    return { code: 'FJ_CLI_E0008', message: `confirmation needed, but stdin is not a terminal: pass --auto-approve (or --yes) to go ahead without asking` };
  }
  if (err instanceof FjordApiError) {
    if (err.status === 401) {
      return { code: 'FJ_CLI_E0003', message: `${url} refused the credentials (${err.problem.detail}): set FJORD_TOKEN to a valid cloud API key, or run \`fjord login\`` };
    }
    const fields = err.errors.map((e) => `\n  ${e.field}: ${e.message}`).join('');
    return { code: 'FJ_CLI_E0005', message: `${err.problem.title}: ${err.problem.detail} (${err.code}${err.problem.requestId ? `, request ${err.problem.requestId}` : ''})${fields}` };
  }
  // undici's fetch fails with "fetch failed" and the socket's error as its cause.
  const code = causeCode(err) ?? (err instanceof TypeError && err.message === 'fetch failed' ? String((err.cause as Error | undefined)?.message ?? 'fetch failed') : undefined);
  if (code) return { code: 'FJ_CLI_E0004', message: `cannot reach the Fjord API at ${url} (${code}): is it running? Set FJORD_URL or run \`fjord login --url\`` };
  if (err instanceof Error && err.name === 'AbortError') return { code: 'FJ_CLI_E0004', message: `the request to ${url} was aborted` };
  return { code: 'FJ_CLI_E0099', message: `unexpected failure: ${err instanceof Error ? err.message : String(err)} (set FJORD_DEBUG=1 for the stack trace)` };
}
