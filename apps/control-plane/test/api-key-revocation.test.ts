import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, expectProblem, password, sessionCookieOf, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('cloud API keys follow the member who created them on $name', (backend) => {
  let t: TestApp;
  let owner: SignedUp;
  beforeAll(async () => {
    // The default 2 s cache of resolved keys: revocation must not wait for it.
    t = await startTestApp(backend);
    owner = await signup(t.app, 'Keys');
  });
  afterAll(() => t?.close());

  async function join(role: 'admin' | 'viewer') {
    const person = await signup(t.app, 'Joiner');
    const added = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: owner.auth, payload: { email: person.email, role } });
    expect(added.statusCode, added.body).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: person.email, password, organizationId: owner.orgId } });
    expect(login.statusCode).toBe(200);
    return { memberId: added.json().id as string, auth: { cookie: sessionCookieOf(login) } };
  }
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/me', headers });

  it('removing the member who created a key makes it (and keys made with it) answer 401 at once', async () => {
    const admin = await join('admin');
    const key = await createApiKey(t.app, admin.auth, 'by the admin');
    const madeWithKey = await createApiKey(t.app, bearer(key.secret), 'by the key');
    const ownersKey = await createApiKey(t.app, owner.auth, 'by the owner');
    expect((await me(bearer(key.secret))).statusCode).toBe(200);
    expect((await me(bearer(madeWithKey.secret))).statusCode).toBe(200);

    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${admin.memberId}`, headers: owner.auth });
    expect(removed.statusCode).toBe(204);

    expectProblem(await me(bearer(key.secret)), 401, 'unauthorized');
    expectProblem(await me(bearer(madeWithKey.secret)), 401, 'unauthorized');
    expect((await me(bearer(ownersKey.secret))).statusCode).toBe(200);
    const audit = await t.db.prisma.auditEvent.findMany({ where: { orgId: owner.orgId, action: 'api_key.delete' } });
    expect(audit.map((e) => e.resourceId).sort()).toEqual([key.id, madeWithKey.id].sort());
  });

  it('a key acts with its creator\'s current role, at most admin: demoting the creator reduces it at once', async () => {
    const admin = await join('admin');
    const key = await createApiKey(t.app, admin.auth, 'reduced later');
    expect((await me(bearer(key.secret))).json().role).toBe('admin');

    const demote = (role: string) =>
      t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${admin.memberId}`, headers: owner.auth, payload: { role } });
    expect((await demote('viewer')).statusCode).toBe(200);
    expect((await me(bearer(key.secret))).json().role).toBe('viewer');
    const refused = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(key.secret), payload: { description: 'no' } });
    expectProblem(refused, 403, 'forbidden');

    expect((await demote('owner')).statusCode).toBe(200);
    expect((await me(bearer(key.secret))).json().role).toBe('admin');
  });

  it('keys made before creators were recorded keep acting as admin', async () => {
    const key = await createApiKey(t.app, owner.auth, 'legacy');
    await t.db.prisma.apiKey.update({ where: { id: key.id }, data: { createdByUserId: null } });
    expect((await me(bearer(key.secret))).json().role).toBe('admin');
  });
});
