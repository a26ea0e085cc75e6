// Bundles the CLI into ES modules, dist/fjord.js and its chunks, so `fjord` starts with plain `node` (no
// tsx, no TypeScript transform) and `npm install -g ./apps/cli` needs no dependency at run time.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildCli({ quiet = false } = {}) {
  const started = Date.now();
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  // Chunk names carry a content hash: clear the old ones.
  await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { fjord: 'src/main.ts' },
    outdir: 'dist',
    // Each command's code (and zod, yaml, the SDK) loads only when that command runs: `fjord --version`
    // and `--help` read commander alone.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    define: { FJORD_CLI_VERSION: JSON.stringify(version) },
    // Bundled CommonJS (cli-table3, commander) calls require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __fjordCreateRequire } from 'node:module'; const require = __fjordCreateRequire(import.meta.url);" },
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  if (!quiet) console.log(`cli built: apps/cli/dist/fjord.js and its chunks (${(bytes / 1024).toFixed(0)} KiB incl. source maps) in ${Date.now() - started} ms`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
