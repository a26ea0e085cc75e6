#!/usr/bin/env node
// Writes the next migration: the SQL from the committed prisma/migrations to prisma/schema.prisma,
// computed by Prisma's schema engine (WASM build, no binary download) on an in-memory PGlite.
// Usage: npm run db:migration -- <name>    e.g. npm run db:migration -- add_clusters
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (lowercase letters, digits and _)');
  process.exit(2);
}

const { diffSchemaFromMigrations, defaultMigrationsDir, migrationLock } = await tsImport('@fjord/db', import.meta.url);
const sql = await diffSchemaFromMigrations();
if (sql === undefined) {
  console.log('prisma/schema.prisma matches the committed migrations: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(defaultMigrationsDir, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'migration.sql'), sql);
await writeFile(path.join(defaultMigrationsDir, 'migration_lock.toml'), migrationLock);
console.log(`wrote ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}`);
