// Bundles the broker into one ES module, dist/main.js, so it starts with plain `node` (no tsx, no
// TypeScript transform, one file to load): the start path of every cluster. Native addons stay
// external and load from node_modules when a client first uses their codec.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildBroker({ quiet = false } = {}) {
  const started = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/main.ts'],
    outfile: 'dist/main.js',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    external: ['@node-rs/crc32', 'lz4-napi', 'snappy', 'zstd-napi'],
    // Bundled CommonJS (pino) calls require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __fjordCreateRequire } from 'node:module'; const require = __fjordCreateRequire(import.meta.url);" },
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  if (!quiet) console.log(`broker built: apps/broker/dist/main.js (${(bytes / 1024).toFixed(0)} KiB incl. source map) in ${Date.now() - started} ms`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBroker();
