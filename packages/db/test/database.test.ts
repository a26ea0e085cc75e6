import { appendFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, MigrationError, openDatabase, readMigrations, type Database } from '@fjord/db';
import { testBackends } from '@fjord/db/testing';

const backends = await testBackends();

describe.each(backends)('database on $name', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('records every committed migration in _prisma_migrations with its checksum', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null }[]>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('applies nothing the second time', async () => {
    expect(await db.migrate()).toEqual({ applied: [] });
  });

  it('runs the generated client against the migrated schema, with transactions that roll back', async () => {
    const org = await db.prisma.organization.create({ data: { name: 'Acme' } });
    const user = await db.prisma.user.create({ data: { email: `a-${org.id}@example.com`, passwordHash: 'x' } });
    await db.prisma.membership.create({ data: { orgId: org.id, userId: user.id, role: 'OWNER' } });
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.apiKey.create({ data: { orgId: org.id, description: 'k', secretHash: `h-${org.id}` } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.prisma.apiKey.count({ where: { orgId: org.id } })).toBe(0);
    const found = await db.prisma.membership.findFirst({ where: { orgId: org.id }, include: { user: true } });
    expect(found?.user.email).toBe(user.email);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fjord-migrations-'));
    try {
      await cp(defaultMigrationsDir, dir, { recursive: true });
      await mkdir(path.join(dir, '99990101000000_extra'));
      await writeFile(path.join(dir, '99990101000000_extra', 'migration.sql'), 'CREATE TABLE "Extra" (id INT);\n');
      expect(await db.migrate(dir)).toEqual({ applied: ['99990101000000_extra'] });
      await appendFile(path.join(dir, '99990101000000_extra', 'migration.sql'), '-- edited\n');
      await expect(db.migrate(dir)).rejects.toBeInstanceOf(MigrationError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fjord-migrations-'));
    try {
      await cp(defaultMigrationsDir, dir, { recursive: true });
      await mkdir(path.join(dir, '99990102000000_broken'));
      await writeFile(path.join(dir, '99990102000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id INT);\nSELECT no_such_function();\n');
      await expect(db.migrate(dir)).rejects.toThrow();
      const half = await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`);
      expect(half).toEqual([]);
      const rows = await db.prisma.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990102000000_broken'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded PGlite on a data directory', () => {
  it('keeps its data across a close and reopen', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fjord-db-'));
    try {
      const first = await openDatabase({ dataDir });
      expect((await first.migrate()).applied.length).toBeGreaterThan(0);
      await first.prisma.organization.create({ data: { name: 'Persisted' } });
      await first.close();

      const second = await openDatabase({ dataDir });
      expect(await second.migrate()).toEqual({ applied: [] });
      expect((await second.prisma.organization.findMany()).map((o) => o.name)).toEqual(['Persisted']);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
