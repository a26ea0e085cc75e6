import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, writeFileDurably } from '@fjord/durable-file';
import { usageSampleSchema, type UsageSample } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import * as z from 'zod';

const batchSchema = z.array(usageSampleSchema);

/** One spooled file: the samples of one sampling tick, until the control plane holds them all. */
export interface SpooledBatch {
  readonly file: string;
  readonly samples: UsageSample[];
}

/**
 * Samples on disk until the control plane acknowledges them: each tick's samples are one file,
 * written and fsynced (file and directory) before anything is sent, so a crash or a control-plane
 * outage loses none; a file is removed once every sample in it is acknowledged. A retried sample
 * keeps its id, so the control plane counts it once.
 */
export class UsageSpool {
  readonly #dir: string;
  readonly #logger: Logger;
  #seq = 0;

  private constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  static async open(dir: string, logger: Logger): Promise<UsageSpool> {
    await mkdir(dir, { recursive: true });
    // A crash while writing leaves a temporary file, never a torn batch.
    for (const name of await readdir(dir)) if (name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true });
    return new UsageSpool(dir, logger);
  }

  async append(samples: UsageSample[]): Promise<void> {
    if (samples.length === 0) return;
    // Names sort in the order written, across restarts too.
    const name = `${Date.now().toString().padStart(15, '0')}-${(this.#seq++).toString().padStart(9, '0')}.json`;
    await writeFileDurably(path.join(this.#dir, name), JSON.stringify(samples));
  }

  /** The oldest batches, up to about `maxSamples` samples (at least one batch). */
  async pending(maxSamples: number): Promise<SpooledBatch[]> {
    const names = (await readdir(this.#dir)).filter((n) => n.endsWith('.json')).sort();
    const batches: SpooledBatch[] = [];
    let count = 0;
    for (const name of names) {
      const file = path.join(this.#dir, name);
      const parsed = batchSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '[]')));
      if (!parsed.success) {
        this.#logger.error({ file }, 'dropping a spooled usage batch that does not parse');
        await this.#remove(file);
        continue;
      }
      if (batches.length > 0 && count + parsed.data.length > maxSamples) break;
      batches.push({ file, samples: parsed.data });
      count += parsed.data.length;
    }
    return batches;
  }

  /** Forgets what the control plane holds: a batch all acknowledged goes, a partly acknowledged one keeps the rest. */
  async acknowledge(batches: SpooledBatch[], accepted: ReadonlySet<string>): Promise<void> {
    for (const batch of batches) {
      const rest = batch.samples.filter((s) => !accepted.has(s.id));
      if (rest.length === 0) await this.#remove(batch.file);
      else if (rest.length < batch.samples.length) await writeFileDurably(batch.file, JSON.stringify(rest));
    }
  }

  async #remove(file: string): Promise<void> {
    await rm(file, { force: true });
    await fsyncDirectory(this.#dir);
  }
}
