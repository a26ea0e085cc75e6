import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, password, sessionCookieOf, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('members and roles on $name', (backend) => {
  let t: TestApp;
  let owner: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    owner = await signup(t.app, 'Team');
  });
  afterAll(() => t?.close());

  /** Signs up a person elsewhere, adds them to the owner's organization, and signs them in to it. */
  async function join(role: 'owner' | 'admin' | 'viewer', by: { cookie: string } = owner.auth) {
    const person = await signup(t.app, 'Elsewhere');
    const added = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: by, payload: { email: person.email, role } });
    expect(added.statusCode, added.body).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: person.email, password, organizationId: owner.orgId } });
    expect(login.statusCode).toBe(200);
    return { member: added.json(), auth: { cookie: sessionCookieOf(login) }, email: person.email };
  }

  it('an owner adds members by email with a role; they appear in the list and can sign in to the organization', async () => {
    const { member, auth, email } = await join('admin');
    expect(member).toMatchObject({ email, role: 'admin' });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: auth });
    expect(me.json()).toMatchObject({ organization: { id: owner.orgId, name: 'Team' }, role: 'admin' });
    const list = await t.app.inject({ method: 'GET', url: '/v1/organization/members', headers: owner.auth });
    expect(list.json().items.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual(
      expect.arrayContaining([[owner.email, 'owner'], [email, 'admin']]),
    );
  });

  it('adding an unknown email is 404 and adding a member twice is 409', async () => {
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: owner.auth, payload: { email: 'ghost@example.com', role: 'viewer' } });
    expectProblem(unknown, 404, 'not-found');
    const { email } = await join('viewer');
    const again = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: owner.auth, payload: { email, role: 'admin' } });
    expectProblem(again, 409, 'conflict');
  });

  it('a viewer can read but every mutation answers 403 and changes nothing', async () => {
    const { auth, member } = await join('viewer');
    for (const url of ['/v1/me', '/v1/organization/members', `/v1/organization/members/${member.id}`, '/v1/api-keys', '/v1/audit-events']) {
      expect((await t.app.inject({ method: 'GET', url, headers: auth })).statusCode, url).toBe(200);
    }
    const other = await signup(t.app, 'Other');
    const auditBefore = await t.db.prisma.auditEvent.count({ where: { orgId: owner.orgId } });
    const mutations = [
      { method: 'POST', url: '/v1/organization/members', payload: { email: other.email, role: 'viewer' } },
      { method: 'PATCH', url: `/v1/organization/members/${member.id}`, payload: { role: 'admin' } },
      { method: 'DELETE', url: `/v1/organization/members/${member.id}` },
      { method: 'POST', url: '/v1/api-keys', payload: { description: 'nope' } },
    ] as const;
    for (const m of mutations) expectProblem(await t.app.inject({ ...m, headers: auth }), 403, 'forbidden');
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: owner.orgId } })).toBe(auditBefore);
    expect((await t.app.inject({ method: 'GET', url: `/v1/organization/members/${member.id}`, headers: auth })).json().role).toBe('viewer');
  });

  it('a role change applies to the member at once', async () => {
    const { auth, member } = await join('viewer');
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${member.id}`, headers: owner.auth, payload: { role: 'admin' } });
    expect(patched.json()).toMatchObject({ id: member.id, role: 'admin' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: auth })).json().role).toBe('admin');
    expect((await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: auth, payload: { description: 'now allowed' } })).statusCode).toBe(201);
  });

  it('an admin manages admins and viewers but not owners', async () => {
    const admin = await join('admin');
    const viewer = await join('viewer', admin.auth);
    expect(viewer.member.role).toBe('viewer');
    const me = await t.app.inject({ method: 'GET', url: '/v1/organization/members', headers: admin.auth });
    const ownerMember = me.json().items.find((m: { email: string }) => m.email === owner.email);
    expectProblem(
      await t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${viewer.member.id}`, headers: admin.auth, payload: { role: 'owner' } }),
      403,
      'forbidden',
    );
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${ownerMember.id}`, headers: admin.auth }), 403, 'forbidden');
  });

  it('the last owner cannot be demoted or removed', async () => {
    const solo = await signup(t.app, 'Solo');
    const list = await t.app.inject({ method: 'GET', url: '/v1/organization/members', headers: solo.auth });
    const self = list.json().items[0];
    expectProblem(
      await t.app.inject({ method: 'PATCH', url: `/v1/organization/members/${self.id}`, headers: solo.auth, payload: { role: 'admin' } }),
      409,
      'last-owner',
    );
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${self.id}`, headers: solo.auth }), 409, 'last-owner');
  });

  it('a removed member loses access at once', async () => {
    const { auth, member } = await join('admin');
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/organization/members/${member.id}`, headers: owner.auth })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: auth }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/organization/members/${member.id}`, headers: owner.auth }), 404, 'not-found');
    expect(await t.db.prisma.session.count({ where: { orgId: owner.orgId, userId: member.userId } })).toBe(0);
  });
});
