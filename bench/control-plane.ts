// GET /v1/me authenticated by a cloud API key, next to a bare fastify route, measured in one run.
// Usage: npx tsx bench/control-plane.ts [--duration 10] [--connections 10] [--db pglite|postgresql]
// `--db postgresql` uses a throwaway database on DATABASE_URL's server or 127.0.0.1:5432, dropped afterwards.
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '@fjord/control-plane';
import { testBackends } from '@fjord/db/testing';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    db: { type: 'string', default: 'pglite' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

const backend = (await testBackends()).find((b) => b.name === values.db);
if (!backend) {
  console.error(`no ${values.db} database available`);
  process.exit(1);
}
const db = await backend.open();
const app = await buildApp({ prisma: db.prisma });
const base = await app.listen({ host: '127.0.0.1', port: 0 });

const signup = await app.inject({
  method: 'POST',
  url: '/v1/signup',
  payload: { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery staple', organizationName: 'Bench' },
});
const cookie = String(signup.headers['set-cookie']).split(';')[0];
const key = (await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload: { description: 'bench' } })).json();

const bare = Fastify();
bare.get('/bare', async () => ({ ok: true }));
const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

const targets: { title: string; url: string; headers: Record<string, string> }[] = [
  { title: 'bare fastify GET /bare', url: `${bareBase}/bare`, headers: {} },
  { title: 'GET /v1/me (Bearer API key)', url: `${base}/v1/me`, headers: { authorization: `Bearer ${key.secret}` } },
  { title: 'GET /v1/me (session cookie)', url: `${base}/v1/me`, headers: { cookie } },
];

// Workers keep the load generator off the servers' event loop. Every target is warmed up (JIT, query
// plans, pools) before any is measured, so the order of the measurements does not favour one.
const run = (url: string, headers: Record<string, string>, seconds: number) =>
  autocannon({ url, headers, connections, duration: seconds, workers: 1 });
for (const t of targets) await run(t.url, t.headers, 3);

async function measure(title: string, url: string, headers: Record<string, string>) {
  const result = await run(url, headers, duration);
  const non2xx = result.non2xx + result.errors;
  return { title, 'req/s': Math.round(result.requests.average), 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99, failed: non2xx };
}

const rows = [];
for (const t of targets) rows.push(await measure(t.title, t.url, t.headers));
console.log(`control-plane bench: ${db.kind}, ${connections} connections, ${duration} s each, node ${process.version}`);
console.table(rows);

await bare.close();
await app.close();
await db.close();
