// Builds the web console into dist/ with Vite, unless nothing it is built from changed since the last
// build (a fingerprint of its sources, the API schemas and the SDK kept in dist/): `npm start` and
// every test run call this, and a rebuild costs seconds.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const inputs = ['index.html', 'vite.config.ts', 'package.json', 'src', '../../packages/api/src', '../../packages/sdk/src'];
const stampFile = path.join(root, 'dist', '.build-fingerprint');

function files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true })
    .map((name) => path.join(full, name))
    .filter((name) => statSync(name).isFile())
    .sort();
}

function fingerprint() {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(files)) hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

export async function buildConsole({ quiet = false, force = false } = {}) {
  const started = Date.now();
  const stamp = fingerprint();
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { built: false };
  // Libraries pick their production builds by NODE_ENV (react-router's exports, React's checks).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  writeFileSync(stampFile, stamp);
  if (!quiet) console.log(`console built: apps/console/dist in ${Date.now() - started} ms`);
  return { built: true };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole({ force: process.argv.includes('--force') });
