import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLog, type LogConfig, type PartitionLogOptions } from '@fjord/log';

export const TEST_CONFIG: LogConfig = {
  segmentBytes: 64 * 1024,
  segmentMs: 3_600_000,
  retentionMs: -1,
  retentionBytes: -1,
  flush: 'every-write',
  flushIntervalMs: 1000,
  indexIntervalBytes: 1024,
};

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fjord-log-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function openLog(dir: string, config: Partial<LogConfig> = {}, options: PartitionLogOptions = {}): Promise<PartitionLog> {
  return PartitionLog.open(dir, { ...TEST_CONFIG, ...config }, options);
}

/** Every batch from `from` to the high watermark, read in small steps. */
export async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<Buffer[]> {
  const batches: Buffer[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, 1);
    if (records.length === 0) throw new Error(`no batch at ${offset}`);
    batches.push(records);
    offset = records.readBigInt64BE(0) + BigInt(records.readInt32BE(23)) + 1n;
  }
  return batches;
}
