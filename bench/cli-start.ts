/**
 * How long `fjord` takes to start, next to `node -e 0` (the floor any Node process pays), in the same run:
 * `fjord --version` and `fjord --help` (commander alone), and `fjord plan -f` of a broken stack file (loads
 * the stack chunk with zod and yaml, then stops at the file's error: no network). Each is run --runs times
 * after one warm-up run; p50, p90 and min in ms. Goal: `fjord --version` under 300 ms.
 * Run: `npx tsx bench/cli-start.ts [--runs 20]` (after `npm run build -w @fjord/cli`); not part of `npm test`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const bin = fileURLToPath(new URL('../apps/cli/bin/fjord.js', import.meta.url));
const dir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-cli-'));
const broken = path.join(dir, 'stack.yaml');
await writeFile(broken, 'clusters:\n  - name: a\n    plan: basic\n    nope: 1\n');

function time(args: string[]): number[] {
  const once = () => {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, FJORD_TOKEN: 'x' } });
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  once();
  return Array.from({ length: runs }, once).sort((a, b) => a - b);
}

const pick = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['fjord --version', [bin, '--version']],
  ['fjord --help', [bin, '--help']],
  ['fjord plan -f <broken file>', [bin, 'plan', '-f', broken]],
];
console.log(`fjord ${execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()}, node ${process.version}, ${runs} runs each`);
console.log(`${'command'.padEnd(30)}${'p50 ms'.padStart(9)}${'p90 ms'.padStart(9)}${'min ms'.padStart(9)}`);
for (const [name, args] of cases) {
  const t = time(args);
  console.log(`${name.padEnd(30)}${pick(t, 0.5).toFixed(0).padStart(9)}${pick(t, 0.9).toFixed(0).padStart(9)}${t[0].toFixed(0).padStart(9)}`);
}
await rm(dir, { recursive: true, force: true });
