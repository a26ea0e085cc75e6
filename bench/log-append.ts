/**
 * Append throughput of @fjord/log next to what the disk does with dd, in the same directory.
 *   npx tsx bench/log-append.ts [--mib 128] [--dir /path]
 * Batches hold 16 records of 1 KiB (about 16.6 KiB each), as a batching producer sends them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeRecordBatch } from '@fjord/kafka-protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog, type FlushPolicy } from '@fjord/log';

const { values } = parseArgs({
  options: { mib: { type: 'string', default: '128' }, dir: { type: 'string' } },
});
const totalBytes = Number(values.mib) * 1024 * 1024;
const RECORDS_PER_BATCH = 16;
const VALUE_BYTES = 1024;

/** One uncompressed batch v2 of RECORDS_PER_BATCH records with VALUE_BYTES-byte values and null keys. */
function makeBatch(): Buffer {
  return encodeRecordBatch({
    records: Array.from({ length: RECORDS_PER_BATCH }, () => ({ key: null, value: Buffer.alloc(VALUE_BYTES, 0x5a) })),
  });
}

interface Row {
  what: string;
  inFlight: string;
  mbPerSec: number;
  opsPerSec: number;
}

async function benchLog(dir: string, flush: FlushPolicy, inFlight: number, template: Buffer): Promise<Row> {
  const batches = Math.ceil(totalBytes / template.length);
  const logDir = join(dir, `log-${flush}-${inFlight}`);
  const log = await PartitionLog.open(logDir, { ...DEFAULT_LOG_CONFIG, flush });
  let next = 0;
  const started = process.hrtime.bigint();
  const producer = async () => {
    while (next < batches) {
      next++;
      // Each append gets its own buffer, as each produce request does: the log writes offsets into it.
      await log.append(Buffer.from(template));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, producer));
  if (flush !== 'every-write') await log.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await log.close();
  await rm(logDir, { recursive: true, force: true });
  return {
    what: `PartitionLog flush=${flush}${flush === 'every-write' ? '' : ' (+ final flush)'}`,
    inFlight: String(inFlight),
    mbPerSec: (batches * template.length) / 1e6 / seconds,
    opsPerSec: batches / seconds,
  };
}

function benchDd(dir: string, flag: 'conv=fdatasync' | 'oflag=dsync', count: number): Row {
  const target = join(dir, `dd-${flag.replace('=', '-')}`);
  const started = process.hrtime.bigint();
  execFileSync('dd', ['if=/dev/zero', `of=${target}`, 'bs=16k', `count=${count}`, flag], { stdio: 'ignore' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  execFileSync('rm', ['-f', target]);
  return {
    what: `dd bs=16k ${flag}`,
    inFlight: '1',
    mbPerSec: (count * 16384) / 1e6 / seconds,
    opsPerSec: count / seconds,
  };
}

function printTable(rows: Row[]): void {
  const header = ['what', 'in flight', 'MB/s', 'appends/s'];
  const lines = rows.map((r) => [r.what, r.inFlight, r.mbPerSec.toFixed(1), r.opsPerSec.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'fjord-bench-log-')));
const template = makeBatch();
console.log(`dir ${dir}; ${(totalBytes / 1048576).toFixed(0)} MiB per run; batch ${template.length} bytes (${RECORDS_PER_BATCH} x ${VALUE_BYTES} B records)\n`);
const count = Math.ceil(totalBytes / 16384);
const rows: Row[] = [benchDd(dir, 'conv=fdatasync', count)];
for (const inFlight of [1, 8, 64]) rows.push(await benchLog(dir, 'every-write', inFlight, template));
for (const inFlight of [1, 64]) rows.push(await benchLog(dir, 'interval', inFlight, template));
rows.push(benchDd(dir, 'oflag=dsync', Math.ceil(count / 8)));
printTable(rows);
if (!values.dir) await rm(dir, { recursive: true, force: true });
