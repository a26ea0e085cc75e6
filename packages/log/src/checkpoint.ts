import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@fjord/durable-file';

export const CHECKPOINT_FILE = 'partition.json';

/** Partition state that the segment files cannot tell: where the log starts, and whether it was closed cleanly. */
export interface PartitionCheckpoint {
  logStartOffset: bigint;
  cleanShutdown: boolean;
}

export async function readCheckpoint(dir: string): Promise<PartitionCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as { logStartOffset?: unknown; cleanShutdown?: unknown };
    if (typeof parsed.logStartOffset !== 'string' || !/^\d+$/.test(parsed.logStartOffset)) return null;
    return { logStartOffset: BigInt(parsed.logStartOffset), cleanShutdown: parsed.cleanShutdown === true };
  } catch {
    // A checkpoint is only ever replaced atomically; an unreadable one is treated as absent.
    return null;
  }
}

export async function writeCheckpoint(dir: string, checkpoint: PartitionCheckpoint): Promise<void> {
  const body = { logStartOffset: checkpoint.logStartOffset.toString(), cleanShutdown: checkpoint.cleanShutdown };
  await writeFileDurably(join(dir, CHECKPOINT_FILE), `${JSON.stringify(body)}\n`);
}
