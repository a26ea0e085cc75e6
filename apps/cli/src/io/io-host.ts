import { createInterface } from 'node:readline/promises';
import ora from 'ora';
import type { MessageCode } from './messages.ts';

export type OutputFormat = 'table' | 'json';

/** A long wait shown as a spinner on a terminal; silent elsewhere. */
export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

/**
 * Everything the CLI shows goes through here (commands never print): results to stdout, as a table or
 * text for people or as JSON for scripts; messages, progress and errors to stderr, each with its code.
 */
export interface IoHost {
  readonly format: OutputFormat;
  /** The command's result: `data` as JSON, or `human()` as text. */
  result(data: unknown, human: () => string): void;
  notify(code: MessageCode, text: string): void;
  error(code: MessageCode, text: string): void;
  progress(code: MessageCode, text: string): Progress;
  /** Asks yes/no on the terminal; throws when stdin is not one (a script must say yes up front). */
  confirm(code: MessageCode, question: string): Promise<boolean>;
}

export interface IoHostOptions {
  format: OutputFormat;
  quiet: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export class NotInteractiveError extends Error {}

export function createIoHost(options: IoHostOptions): IoHost {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const json = options.format === 'json';
  const line = (text: string) => stderr.write(`${text}\n`);
  return {
    format: options.format,
    result(data, human) {
      const text = json ? JSON.stringify(data, null, 2) : human();
      if (text !== '') stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    notify(code, text) {
      if (options.quiet) return;
      line(json ? JSON.stringify({ level: 'info', code, message: text }) : text);
    },
    error(code, text) {
      line(json ? JSON.stringify({ level: 'error', code, message: text }) : `Error: ${text}`);
    },
    progress(code, text) {
      // A pseudo-terminal without a size (0 columns) would make ora's line arithmetic loop forever.
      const animated = !options.quiet && !json && stdout.isTTY && stderr.isTTY && stderr.columns > 0;
      const spinner = ora({ text, stream: stderr, isSilent: !animated }).start();
      return {
        update: (next) => void (spinner.text = next),
        succeed: (done) => void spinner.succeed(done),
        fail: (failed) => void spinner.fail(failed),
      };
    },
    async confirm(code, question) {
      if (!stdin.isTTY) throw new NotInteractiveError(question);
      const rl = createInterface({ input: stdin, output: stderr });
      try {
        const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
        return answer.trim() === 'yes';
      } finally {
        rl.close();
      }
    },
  };
}
