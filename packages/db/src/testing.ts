import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './client.ts';

/**
 * The database backends the shared test suites run on: PGlite in memory always, and PostgreSQL
 * when one answers (DATABASE_URL's server, else 127.0.0.1:5432). FJORD_TEST_POSTGRES=off skips it.
 */
export interface TestBackend {
  readonly name: 'pglite' | 'postgresql';
  /** A fresh, migrated database of its own; `close()` also drops it. */
  open(): Promise<Database>;
}

const pgliteBackend: TestBackend = {
  name: 'pglite',
  async open() {
    const db = await openDatabase({ memory: true });
    await db.migrate();
    return db;
  },
};

function candidateServerUrls(): string[] {
  if (process.env.DATABASE_URL) return [process.env.DATABASE_URL];
  const users = [process.env.PGUSER, 'postgres', 'root'].filter((u): u is string => Boolean(u));
  return [...new Set(users)].map((user) => `postgresql://${user}@127.0.0.1:5432/postgres`);
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function postgresBackend(serverUrl: string): TestBackend {
  return {
    name: 'postgresql',
    async open() {
      const name = `fjord_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const db = await openDatabase({ url: url.toString() });
      await db.migrate();
      return {
        ...db,
        async close() {
          await db.close();
          const dropper = new pg.Client({ connectionString: serverUrl });
          await dropper.connect();
          await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await dropper.end();
        },
      };
    },
  };
}

let backends: Promise<TestBackend[]> | undefined;

/** Resolves once per process which backends are available. */
export function testBackends(): Promise<TestBackend[]> {
  backends ??= (async () => {
    const found: TestBackend[] = [pgliteBackend];
    if (process.env.FJORD_TEST_POSTGRES === 'off') return found;
    for (const url of candidateServerUrls()) {
      if (await answers(url)) {
        found.push(postgresBackend(url));
        break;
      }
    }
    return found;
  })();
  return backends;
}
