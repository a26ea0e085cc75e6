import { CommanderError } from 'commander';
import type { IoHost } from './io/io-host.ts';
import { buildProgram } from './spec.ts';

/** Runs one command line; resolves with the exit code (0 ok, 1 error, 2 changes for plan --detailed-exitcode). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  let io: IoHost | undefined;
  let url = 'the Fjord API';
  const program = buildProgram({
    setExitCode: (code) => void (exitCode = code),
    async context(options) {
      const [{ createIoHost }, { createContext }] = await Promise.all([import('./io/io-host.ts'), import('./context.ts')]);
      io = createIoHost({ format: options.output, quiet: Boolean(options.quiet) });
      const ctx = await createContext(io);
      url = ctx.credentials.url;
      return ctx;
    },
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    // Commander has printed its own message (or the help, or the version) already.
    if (err instanceof CommanderError) return err.exitCode;
    const [{ explain }, { createIoHost }] = await Promise.all([import('./errors.ts'), import('./io/io-host.ts')]);
    const { code, message } = explain(err, url);
    (io ?? createIoHost({ format: program.opts().output ?? 'table', quiet: false })).error(code, message);
    if (process.env.FJORD_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
