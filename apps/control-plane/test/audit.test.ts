import { testBackends } from '@fjord/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, expectProblem, signup, startTestApp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('audit events on $name', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  it('records every mutation with actor, action, resource and time, newest first', async () => {
    const org = await signup(t.app, 'Audited');
    const key = await createApiKey(t.app, org.auth, 'robot');
    const other = await signup(t.app, 'Person');
    const added = (
      await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: bearer(key.secret), payload: { email: other.email, role: 'viewer' } })
    ).json();
    await t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${added.id}`, headers: org.auth, payload: { role: 'admin' } });
    await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${added.id}`, headers: org.auth });
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: org.auth });
    await t.app.inject({ method: 'POST', url: '/v1/logout', headers: org.auth });

    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: org.email, password: 'correct horse battery staple' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const res = await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const events = res.json().items as { action: string; actor: { type: string; id: string; label: string }; resource: { type: string; id: string }; createdAt: string }[];
    expect(events.map((e) => e.action)).toEqual([
      'session.create',
      'session.delete',
      'api_key.delete',
      'member.delete',
      'member.update',
      'member.create',
      'api_key.create',
      'session.create',
      'organization.create',
    ]);
    const byKey = events.find((e) => e.action === 'member.create')!;
    expect(byKey.actor).toEqual({ type: 'api_key', id: key.id, label: 'robot' });
    expect(byKey.resource).toEqual({ type: 'member', id: added.id });
    const byUser = events.find((e) => e.action === 'api_key.delete')!;
    expect(byUser.actor).toEqual({ type: 'user', id: org.userId, label: org.email });
    const times = events.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('pages newest first with {items, nextCursor}, each event exactly once', async () => {
    const org = await signup(t.app, 'Pages');
    for (let i = 0; i < 4; i++) await createApiKey(t.app, org.auth, `k${i}`);
    const all = (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: org.auth })).json().items;
    expect(all).toHaveLength(6);
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res: LightMyRequestResponse = await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: org.auth, query: { limit: '4', ...(cursor ? { cursor } : {}) } });
      const page: { items: { id: string }[]; nextCursor: string | null } = res.json();
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  it('refuses a cursor it did not issue', async () => {
    const org = await signup(t.app, 'Cursor');
    const res = await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: org.auth, query: { cursor: 'bm90LWEtbnVtYmVy' } });
    expect(expectProblem(res, 400, 'validation').errors).toEqual([{ field: 'cursor', message: 'Invalid cursor' }]);
  });

  it('failed requests record nothing', async () => {
    const org = await signup(t.app, 'Quiet');
    const before = await t.db.prisma.auditEvent.count({ where: { orgId: org.orgId } });
    await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: org.auth, payload: { description: '' } });
    await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/01a21167-5f52-707c-85b2-59b95110884f', headers: org.auth });
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.orgId } })).toBe(before);
  });
});
