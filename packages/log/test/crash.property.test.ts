import { appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchOf } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

const CONFIG = { segmentBytes: 4096, indexIntervalBytes: 256 };

const appendRounds = fc.array(
  fc.array(fc.record({ records: fc.integer({ min: 1, max: 4 }), valueBytes: fc.integer({ min: 0, max: 400 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
  { minLength: 1, maxLength: 12 },
);

describe('crash recovery (property)', () => {
  it('after a cut at any byte, plus optional garbage, the log reopens as a prefix of what was acknowledged', async () => {
    await fc.assert(
      fc.asyncProperty(
        appendRounds,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ maxLength: 200 }),
        async (rounds, cutAt, garbage) => {
          const { dir, cleanup } = await tempDir();
          try {
            let log = await openLog(dir, CONFIG);
            // Each round's appends run concurrently and share a group commit.
            const acknowledged: Buffer[] = [];
            for (const round of rounds) {
              const batches = round.map(({ records, valueBytes }) => batchOf(records, valueBytes));
              const results = await Promise.all(batches.map((batch) => log.append(batch)));
              const order = results.map((r, i) => [r.baseOffset, batches[i]] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
              acknowledged.push(...order.map(([, batch]) => batch));
            }
            await log.close();

            // A crash leaves a prefix of the byte stream: cut the segment holding the byte, drop later ones.
            const segments = log.segments();
            const total = segments.reduce((sum, s) => sum + s.size, 0);
            let cut = Math.floor(cutAt * total);
            let last = 0;
            for (; last < segments.length - 1 && cut > segments[last].size; last++) cut -= segments[last].size;
            const lost = (await readFile(segments[last].files.log))[cut];
            // Garbage that starts with the byte it replaces could rebuild the lost batch; make it differ.
            const junk = Buffer.from(garbage);
            if (junk.length > 0 && junk[0] === lost) junk[0] ^= 0xff;
            await truncate(segments[last].files.log, cut);
            await appendFile(segments[last].files.log, junk);
            for (const s of segments.slice(last + 1)) {
              for (const file of Object.values(s.files)) await rm(file);
            }
            const checkpoint = join(dir, 'partition.json');
            const state = JSON.parse(await readFile(checkpoint, 'utf8'));
            await writeFile(checkpoint, JSON.stringify({ ...state, cleanShutdown: false }));

            log = await openLog(dir, CONFIG);
            try {
              const kept = await readAll(log);
              expect(Buffer.concat(kept)).toEqual(Buffer.concat(acknowledged.slice(0, kept.length)));
              const keptBytes = kept.reduce((sum, b) => sum + b.length, 0);
              expect(keptBytes).toBeLessThanOrEqual(Math.floor(cutAt * total));
              const wholeBatchesBeforeCut = prefixCount(acknowledged, Math.floor(cutAt * total));
              expect(kept.length).toBe(wholeBatchesBeforeCut);
              const next = await log.append(batchOf(1, 1));
              expect(next.baseOffset).toBe(log.highWatermark - 1n);
              expect(next.baseOffset).toBe(kept.length === 0 ? 0n : kept.at(-1)!.readBigInt64BE(0) + BigInt(kept.at(-1)!.readInt32BE(23)) + 1n);
            } finally {
              await log.close();
            }
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** How many whole batches fit in the first `bytes` bytes of the log. */
function prefixCount(batches: Buffer[], bytes: number): number {
  let used = 0;
  let count = 0;
  for (const batch of batches) {
    if (used + batch.length > bytes) break;
    used += batch.length;
    count++;
  }
  return count;
}
