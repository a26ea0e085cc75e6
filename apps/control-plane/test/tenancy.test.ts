import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('tenancy on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let aKey: { id: string; secret: string };
  let aMemberId: string;
  let aAuditId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    a = await signup(t.app, 'Alpha');
    b = await signup(t.app, 'Beta');
    aKey = await createApiKey(t.app, a.auth, 'alpha key');
    aMemberId = (await t.app.inject({ method: 'GET', url: '/v1/organization/members', headers: a.auth })).json().items[0].id;
    aAuditId = (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: a.auth })).json().items[0].id;
  });
  afterAll(() => t?.close());

  // B reaches A's resources by session cookie and by B's own API key: both must see nothing.
  const callers = [
    { name: 'session', headers: () => b.auth },
    { name: 'API key', headers: async () => bearer((await createApiKey(t.app, b.auth, 'beta key')).secret) },
  ];

  describe.each(callers)('organization B by $name', (caller) => {
    let headers: Record<string, string>;
    beforeAll(async () => {
      headers = await caller.headers();
    });

    it("cannot read, change or delete A's API key: 404", async () => {
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/api-keys/${aKey.id}`, headers }), 404, 'not-found');
      expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${aKey.id}`, headers }), 404, 'not-found');
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(aKey.secret) })).statusCode).toBe(200);
    });

    it("cannot read, change or delete A's members: 404", async () => {
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/organization/members/${aMemberId}`, headers }), 404, 'not-found');
      expectProblem(
        await t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${aMemberId}`, headers, payload: { role: 'viewer' } }),
        404,
        'not-found',
      );
      expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${aMemberId}`, headers }), 404, 'not-found');
      const member = await t.db.prisma.membership.findUniqueOrThrow({ where: { id: aMemberId } });
      expect(member.role).toBe('OWNER');
    });

    it("never sees A's keys, members or audit events in its lists", async () => {
      const keys = (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers })).json();
      const members = (await t.app.inject({ method: 'GET', url: '/v1/organization/members', headers })).json();
      const audit = (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers, query: { limit: '100' } })).json();
      expect(keys.items.map((k: { id: string }) => k.id)).not.toContain(aKey.id);
      expect(members.items.map((m: { id: string }) => m.id)).not.toContain(aMemberId);
      expect(members.items.map((m: { email: string }) => m.email)).toEqual([b.email]);
      expect(audit.items.map((e: { id: string }) => e.id)).not.toContain(aAuditId);
      expect(JSON.stringify([keys, members, audit])).not.toContain(a.orgId);
    });

    it("cannot page into A's lists with a cursor taken from A", async () => {
      const aPage = (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: a.auth, query: { limit: '1' } })).json();
      expect(aPage.nextCursor).not.toBeNull();
      const res = await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers, query: { cursor: aPage.nextCursor, limit: '100' } });
      expect(res.statusCode).toBe(200);
      for (const e of res.json().items) {
        const row = await t.db.prisma.auditEvent.findUniqueOrThrow({ where: { id: e.id } });
        expect(row.orgId).toBe(b.orgId);
      }
    });
  });

  it('every tenant row carries its organization', async () => {
    const rows = [
      ...(await t.db.prisma.apiKey.findMany()),
      ...(await t.db.prisma.membership.findMany()),
      ...(await t.db.prisma.auditEvent.findMany()),
      ...(await t.db.prisma.session.findMany()),
    ];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.orgId === a.orgId || r.orgId === b.orgId)).toBe(true);
  });
});
