import { redactedSecret } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('Idempotency-Key on $name', (backend) => {
  let t: TestApp;
  let org: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(backend, { housekeepingMs: 0 });
    org = await signup(t.app, 'Retry');
  });
  afterAll(() => t?.close());

  const create = (key: string, description: string, headers: Record<string, string> = org.auth) =>
    t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...headers, 'idempotency-key': key }, payload: { description } });

  it('a replay with the same key and body returns the first response and creates nothing more', async () => {
    const first = await create('create-key-1', 'once');
    expect(first.statusCode).toBe(201);
    const again = await create('create-key-1', 'once');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual({ ...first.json(), secret: redactedSecret });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await t.db.prisma.apiKey.count({ where: { orgId: org.orgId, description: 'once' } })).toBe(1);
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.orgId, action: 'api_key.create' } })).toBe(1);
  });

  it('never stores a shown-once secret: the record holds the marker, and a replay answers it with the same status and id', async () => {
    const first = await create('create-key-secret', 'shown once');
    const { id, secret } = first.json();
    const record = await t.db.prisma.idempotencyRecord.findFirstOrThrow({ where: { orgId: org.orgId, key: 'create-key-secret' } });
    expect(record.body).not.toContain(secret);
    expect(JSON.parse(record.body!).secret).toBe(redactedSecret);
    const replay = await create('create-key-secret', 'shown once');
    expect(replay.statusCode).toBe(201);
    expect(replay.body).not.toContain(secret);
    expect(replay.json()).toEqual({ ...first.json(), secret: redactedSecret });
    expect(replay.json().id).toBe(id);
  });

  it('purges records past their TTL, a bounded batch per round', async () => {
    await create('stale-1', 'stale one');
    await create('stale-2', 'stale two');
    await t.db.prisma.idempotencyRecord.updateMany({ where: { orgId: org.orgId, key: { startsWith: 'stale-' } }, data: { createdAt: new Date(Date.now() - 25 * 3600 * 1000) } });
    expect(await t.app.services.idempotency.purgeExpired(1)).toBe(1);
    await t.app.housekeeping.runOnce();
    expect(await t.db.prisma.idempotencyRecord.count({ where: { orgId: org.orgId, key: { startsWith: 'stale-' } } })).toBe(0);
    expect(await t.db.prisma.idempotencyRecord.count({ where: { orgId: org.orgId, key: 'create-key-1' } })).toBe(1);
  });

  it('the same key with another body -> 422', async () => {
    await create('create-key-2', 'first body');
    const res = await create('create-key-2', 'second body');
    expectProblem(res, 422, 'idempotency-key-reused');
    expect(await t.db.prisma.apiKey.count({ where: { orgId: org.orgId, description: 'second body' } })).toBe(0);
  });

  it('forgets a key after a day: it may then be used for a new request', async () => {
    await create('yesterday', 'old');
    await t.db.prisma.idempotencyRecord.updateMany({ where: { orgId: org.orgId, key: 'yesterday' }, data: { createdAt: new Date(Date.now() - 25 * 3600 * 1000) } });
    const res = await create('yesterday', 'new');
    expect(res.statusCode).toBe(201);
    expect(res.json().description).toBe('new');
  });

  it('replays a 204 and a 404 as they were first answered', async () => {
    const key = await createApiKey(t.app, org.auth);
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: { ...org.auth, 'idempotency-key': 'delete-1' } });
    expect((await del()).statusCode).toBe(204);
    const replay = await del();
    expect(replay.statusCode).toBe(204);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const fresh = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: { ...org.auth, 'idempotency-key': 'delete-2' } });
    expectProblem(fresh, 404, 'not-found');
  });

  it('keys belong to their caller: another organization reusing the key string runs its own request', async () => {
    await create('shared-name', 'alpha');
    const other = await signup(t.app, 'Other');
    const res = await create('shared-name', 'beta', other.auth);
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.json().description).toBe('beta');
  });

  it('works with API keys as well as sessions, and refuses an over-long key', async () => {
    const { secret } = await createApiKey(t.app, org.auth);
    const a = await create('by-key', 'via bearer', bearer(secret));
    const b = await create('by-key', 'via bearer', bearer(secret));
    expect(b.json().id).toBe(a.json().id);
    expect(expectProblem(await create('k'.repeat(300), 'x'), 400, 'validation').errors![0].field).toBe('Idempotency-Key');
  });
});
