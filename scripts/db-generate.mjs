#!/usr/bin/env node
// Regenerates the Prisma client under packages/db/generated/prisma from prisma/schema.prisma.
// Prisma's CLI wants to download its native schema engine first; `generate` never uses it, so
// pointing PRISMA_SCHEMA_ENGINE_BINARY at /bin/false skips the download (see notes/prisma-offline.md).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
execFileSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false' },
});
