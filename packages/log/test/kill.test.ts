import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { batchesIn } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

const APPENDER = fileURLToPath(new URL('./fixtures/appender.ts', import.meta.url));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs the appender until it has acknowledged `acks` appends, then SIGKILLs it; returns the highest acknowledged offset. */
function appendThenKill(dir: string, acks: number): Promise<bigint> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', APPENDER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let highest = -1n;
    let seen = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const offset = BigInt(line);
        if (offset > highest) highest = offset;
        if (++seen === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      children.delete(child);
      if (signal === 'SIGKILL') resolve(highest);
      else reject(new Error(`appender exited on its own: ${stderr}`));
    });
  });
}

describe('kill -9 during appends', () => {
  it('keeps every acknowledged append, and the log stays consistent', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      let previous = -1n;
      for (const acks of [300, 700]) {
        const acknowledged = await appendThenKill(dir, acks);
        expect(acknowledged).toBeGreaterThan(previous);
        const log = await openLog(dir, { segmentBytes: 64 * 1024 });
        try {
          expect(log.highWatermark).toBeGreaterThan(acknowledged);
          expect(log.segments().length).toBeGreaterThan(1);
          const batches = (await readAll(log)).flatMap((records) => batchesIn(records));
          batches.forEach((batch, i) => {
            if (i > 0) expect(batch.baseOffset).toBe(batches[i - 1].lastOffset + 1n);
          });
          expect(batches.at(-1)!.lastOffset).toBe(log.highWatermark - 1n);
          previous = log.highWatermark - 1n;
        } finally {
          await log.close();
        }
      }
    } finally {
      await cleanup();
    }
  });
});
