import { createHash } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bearer, createApiKey, expectProblem, password, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('cloud API keys on $name', (backend) => {
  let t: TestApp;
  let owner: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    owner = await signup(t.app, 'Keys');
  });
  afterAll(() => t?.close());

  it('creates a key whose secret is shown once and stored only as its SHA-256', async () => {
    const key = await createApiKey(t.app, owner.auth, 'deploy bot');
    expect(key).toMatchObject({ description: 'deploy bot', secret: expect.stringMatching(/^fjk_[\w-]{43}$/) });
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.secretHash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.secret);

    const got = await t.app.inject({ method: 'GET', url: `/v1/api-keys/${key.id}`, headers: owner.auth });
    expect(got.json()).toEqual({ id: key.id, description: 'deploy bot', createdAt: key.createdAt });
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.auth });
    expect(list.json().items).toContainEqual({ id: key.id, description: 'deploy bot', createdAt: key.createdAt });
    expect(list.body).not.toContain(key.secret);
  });

  it('authenticates any /v1 route by Bearer as the key organization; a wrong key is 401', async () => {
    const key = await createApiKey(t.app, owner.auth);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      user: null,
      apiKey: { id: key.id, description: 'ci' },
      organization: { id: owner.orgId, name: 'Keys' },
      role: 'admin',
    });
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) });
    expect(list.statusCode).toBe(200);

    const wrong = `${key.secret.slice(0, -2)}xx`;
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(wrong) }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer('not-a-key') }), 401, 'unauthorized');
    // A wrong Bearer is refused even next to a valid session cookie: no silent fallback.
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { ...bearer(wrong), ...owner.auth } }), 401, 'unauthorized');
  });

  it('a deleted key answers 401 and is gone from get and list', async () => {
    const key = await createApiKey(t.app, owner.auth);
    // Used first, so this process has it resolved: deleting it must forget that at once.
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) })).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: owner.auth });
    expect(del.statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/api-keys/${key.id}`, headers: owner.auth }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: owner.auth }), 404, 'not-found');
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.auth });
    expect(list.json().items.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });

  it('another replica on the same database refuses a deleted key once its short cache expires', async () => {
    const cacheMs = 300;
    const replica = await buildApp({ prisma: t.db.prisma, apiKeyCacheMs: cacheMs });
    try {
      const key = await createApiKey(t.app, owner.auth);
      const me = () => replica.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) });
      expect((await me()).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: owner.auth })).statusCode).toBe(204);
      await new Promise((r) => setTimeout(r, cacheMs + 50));
      expectProblem(await me(), 401, 'unauthorized');
    } finally {
      await replica.close();
    }
  });

  it('a key can revoke itself, and its next request is 401', async () => {
    const key = await createApiKey(t.app, owner.auth);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(key.secret) })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }), 401, 'unauthorized');
  });

  it('pages through keys with {items, nextCursor}', async () => {
    const org = await signup(t.app, 'Paging');
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await createApiKey(t.app, org.auth, `k${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: LightMyRequestResponse = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: org.auth, query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(res.statusCode).toBe(200);
      const page: { items: { id: string }[]; nextCursor: string | null } = res.json();
      expect(Object.keys(page).sort()).toEqual(['items', 'nextCursor']);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((k: { id: string }) => k.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(created.sort());
  });

  it('a viewer can list keys but not create or delete them (403)', async () => {
    const viewerEmail = `viewer-${Date.now()}@example.com`;
    await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email: viewerEmail, password, organizationName: 'Own' } });
    const added = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: owner.auth, payload: { email: viewerEmail, role: 'viewer' } });
    expect(added.statusCode).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: viewerEmail, password, organizationId: owner.orgId } });
    expect(login.json().role).toBe('viewer');
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const key = await createApiKey(t.app, owner.auth);

    expect((await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/api-keys/${key.id}`, headers: { cookie } })).statusCode).toBe(200);
    const before = await t.db.prisma.apiKey.count();
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload: { description: 'x' } }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: { cookie } }), 403, 'forbidden');
    expect(await t.db.prisma.apiKey.count()).toBe(before);
  });
});
