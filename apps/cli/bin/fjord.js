#!/usr/bin/env node
// The bin npm links at install time, before `prepare` has built the bundle: it exists on a fresh clone
// and loads the build, dist/fjord.js.
try {
  await import('../dist/fjord.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/fjord.js')) throw err;
  process.stderr.write('fjord: the CLI is not built yet: run `npm run build -w @fjord/cli` (npm install does it too)\n');
  process.exitCode = 1;
}
