import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UsageSample } from '@fjord/broker-contract';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageMeter } from '../src/metering/usage-meter.ts';
import { UsageSpool } from '../src/metering/usage-spool.ts';

const logger = pino({ level: 'silent' });
const sample = (quantity: number): UsageSample => ({
  id: randomUUID(),
  clusterId: 'c',
  metric: 'ingress_bytes',
  quantity: String(quantity),
  start: new Date(0).toISOString(),
  end: new Date(1000).toISOString(),
  topic: 't',
});

describe('UsageSpool', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps samples across a reopen until they are acknowledged, oldest first, a partly acknowledged batch keeping the rest', async () => {
    let spool = await UsageSpool.open(dir, logger);
    const first = [sample(1), sample(2)];
    const second = [sample(3)];
    await spool.append(first);
    await spool.append(second);
    await spool.append([]);

    // What a crash leaves: the files, and maybe a temporary one being written.
    await writeFile(path.join(dir, 'x.json.abc.tmp'), '[');
    spool = await UsageSpool.open(dir, logger);
    expect(await readdir(dir)).toHaveLength(2);
    const pending = await spool.pending(10);
    expect(pending.flatMap((b) => b.samples)).toEqual([...first, ...second]);
    expect((await spool.pending(2)).flatMap((b) => b.samples)).toEqual(first);
    expect((await spool.pending(1)).flatMap((b) => b.samples)).toEqual(first);

    await spool.acknowledge(pending, new Set([first[0].id, second[0].id]));
    expect((await spool.pending(10)).flatMap((b) => b.samples)).toEqual([first[1]]);
    await spool.acknowledge(await spool.pending(10), new Set([first[1].id]));
    expect(await spool.pending(10)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('drops a batch that does not parse rather than resending it forever', async () => {
    const spool = await UsageSpool.open(dir, logger);
    await writeFile(path.join(dir, '000000000000000-000000000.json'), '[{"id":"not-a-sample"}]');
    await spool.append([sample(5)]);
    expect((await spool.pending(10)).flatMap((b) => b.samples).map((s) => s.quantity)).toEqual(['5']);
    expect(await readdir(dir)).toHaveLength(1);
  });
});

describe('UsageMeter', () => {
  it('counts per topic and principal and starts again from zero once drained', () => {
    const meter = new UsageMeter();
    meter.ingress('t', 'k1', 100);
    meter.ingress('t', 'k1', 50);
    meter.ingress('t', undefined, 7);
    meter.egress('u', 'k1', 30);
    meter.egress('u', 'k1', 0);
    expect(meter.drain()).toEqual([
      { topic: 't', principal: 'k1', ingress: 150, egress: 0 },
      { topic: 't', principal: undefined, ingress: 7, egress: 0 },
      { topic: 'u', principal: 'k1', ingress: 0, egress: 30 },
    ]);
    expect(meter.drain()).toEqual([]);
  });
});
