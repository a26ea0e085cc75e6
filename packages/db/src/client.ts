import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import { migrate, type MigrationResult, type SqlSession } from './migrate.ts';

export type DatabaseOptions =
  /** Embedded PGlite persisted under `dataDir` (the data files live in `<dataDir>/pgdata`). */
  | { dataDir: string }
  /** Embedded PGlite in memory: gone when closed. */
  | { memory: true }
  /** A PostgreSQL server. */
  | { url: string };

export interface Database {
  readonly kind: 'pglite' | 'postgresql';
  readonly prisma: PrismaClient;
  /** Applies the committed migrations that are not applied yet. */
  migrate(migrationsDir?: string): Promise<MigrationResult>;
  close(): Promise<void>;
}

/** Opens the control plane's database: PGlite in-process by default, PostgreSQL when given a URL. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('url' in options) return openPostgres(options.url);
  const dir = 'dataDir' in options ? path.join(path.resolve(options.dataDir), 'pgdata') : undefined;
  if (dir) await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite as never) });
  const session: SqlSession = {
    query: async (sql, params) => (await pglite.query<Record<string, unknown>>(sql, params)).rows,
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          exec: async (sql) => void (await tx.exec(sql)),
          query: async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows,
        }),
      ),
  };
  return {
    kind: 'pglite',
    prisma,
    migrate: (migrationsDir) => migrate(session, migrationsDir),
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const session: SqlSession = {
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Serialises migrators: several control-plane replicas may start at once.
        await client.query('SELECT pg_advisory_xact_lock(7307366718)');
        const result = await fn({
          exec: async (sql) => void (await client.query(sql)),
          query: async (sql, params) => (await client.query(sql, params)).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
  return {
    kind: 'postgresql',
    prisma,
    migrate: (migrationsDir) => migrate(session, migrationsDir),
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}
