import { testBackends } from '@fjord/db/testing';
import { ConflictError, createClient, ForbiddenError, IdempotencyKeyReusedError, NotFoundError, QuotaExceededError, UnauthorizedError, ValidationError } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/control-plane.ts';
import { password, startTestApp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();

// @fjord/sdk against the control plane over real HTTP.
describe('@fjord/sdk', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp(pglite);
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t?.close());

  it('signs up, keeps the session, manages keys and members, and reads the audit trail', async () => {
    const owner = createClient({ baseUrl });
    const me = await owner.signup({ email: 'sdk@example.com', password, organizationName: 'SDK Inc' });
    expect(me).toMatchObject({ organization: { name: 'SDK Inc' }, role: 'owner' });
    expect(await owner.me()).toEqual(me);

    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await owner.apiKeys.create({ description: `key ${i}` }));
    const listed = [];
    for await (const key of owner.paginate((cursor) => owner.apiKeys.list({ cursor, limit: 2 }))) listed.push(key.id);
    expect(listed.sort()).toEqual(keys.map((k) => k.id).sort());
    expect(await owner.apiKeys.get(keys[0].id)).toEqual({ id: keys[0].id, description: 'key 0', createdAt: keys[0].createdAt });

    const robot = createClient({ baseUrl, apiKey: keys[0].secret });
    expect((await robot.me()).apiKey).toEqual({ id: keys[0].id, description: 'key 0' });

    const colleague = createClient({ baseUrl });
    await colleague.signup({ email: 'colleague@example.com', password, organizationName: 'Theirs' });
    const member = await robot.members.add({ email: 'colleague@example.com', role: 'viewer' });
    expect((await owner.members.update(member.id, { role: 'admin' })).role).toBe('admin');

    const actions = [];
    for await (const event of owner.auditEvents.all()) actions.push(event.action);
    expect(actions.slice(0, 2)).toEqual(['member.update', 'member.create']);

    await owner.logout();
    expect(owner.session).toBeUndefined();
    await expect(owner.me()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('throws the error class of each problem type, with its details', async () => {
    const client = createClient({ baseUrl });
    const invalid = await client.signup({ email: 'nope', password: 'short', organizationName: 'X' }).catch((e) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid.status).toBe(400);
    expect(invalid.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);

    await client.signup({ email: 'errors@example.com', password, organizationName: 'Errors' });
    const missing = await client.apiKeys.get('01a21167-5f52-707c-85b2-59b95110884f').catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('FJ_NOT_FOUND');

    await client.apiKeys.create({ description: 'a' }, { idempotencyKey: 'k1' });
    await expect(client.apiKeys.create({ description: 'b' }, { idempotencyKey: 'k1' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);

    const viewer = createClient({ baseUrl });
    await viewer.signup({ email: 'viewer@example.com', password, organizationName: 'V' });
    await client.members.add({ email: 'viewer@example.com', role: 'viewer' });
    await expect(client.members.add({ email: 'viewer@example.com', role: 'viewer' })).rejects.toBeInstanceOf(ConflictError);
    const orgId = (await client.me()).organization.id;
    await viewer.login({ email: 'viewer@example.com', password, organizationId: orgId });
    await expect(viewer.apiKeys.create({ description: 'no' })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('waits for a cluster with long polls, not a polling loop', async () => {
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const client = createClient({ baseUrl, fetch: counting });
    await client.signup({ email: 'waiter@example.com', password, organizationName: 'Waits' });
    const changes = t.app.services.clusterChanges;
    const waiting = () => until('a request to wait', () => (changes.waiting === 1 ? true : undefined), 5_000, 10);

    const cluster = await client.clusters.create({ name: 'awaited', plan: 'basic' });
    urls.length = 0;
    const running = client.clusters.waitFor(cluster.id, 'RUNNING', { timeoutMs: 20_000 });
    await waiting();
    await t.db.prisma.cluster.update({ where: { id: cluster.id }, data: { status: 'RUNNING' } });
    changes.notify(cluster.id);
    expect((await running)!.status).toBe('RUNNING');
    expect(urls).toHaveLength(1);
    expect(new URL(urls[0]).searchParams.get('waitFor')).toBe('RUNNING');
    expect(Number(new URL(urls[0]).searchParams.get('timeoutMs'))).toBeGreaterThan(19_000);

    const slow = await client.clusters.create({ name: 'slow', plan: 'basic' });
    urls.length = 0;
    await expect(client.clusters.waitFor(slow.id, 'RUNNING', { timeoutMs: 300 })).rejects.toThrow(/still PROVISIONING/);
    expect(urls.length).toBeLessThanOrEqual(2);

    await t.db.prisma.cluster.update({ where: { id: slow.id }, data: { status: 'FAILED', failureReason: 'no port' } });
    await expect(client.clusters.waitFor(slow.id, 'RUNNING', { timeoutMs: 20_000 })).rejects.toThrow(/FAILED: no port/);

    await client.clusters.delete(cluster.id);
    const gone = client.clusters.waitFor(cluster.id, 'DELETED', { timeoutMs: 20_000 });
    await waiting();
    await t.db.prisma.cluster.delete({ where: { id: cluster.id } });
    changes.notify(cluster.id);
    expect(await gone).toBeUndefined();
  });

  it('reads and sets quotas and settings, and throws QuotaExceededError past an organization limit', async () => {
    const client = createClient({ baseUrl });
    const me = await client.signup({ email: `quotas-${Date.now()}@example.com`, password, organizationName: 'Quotas' });
    const cluster = await client.clusters.create({ name: 'quoted', plan: 'basic' });
    const quotas = await client.clusters.updateQuotas(cluster.id, { ingressBytesPerSecond: 1_048_576, defaultKeyQuota: { egressBytesPerSecond: 65_536 } });
    expect(quotas.effective.ingressBytesPerSecond).toBe(1_048_576);
    expect(await client.clusters.quotas(cluster.id)).toEqual(quotas);
    await expect(client.clusters.updateQuotas(cluster.id, { ingressBytesPerSecond: quotas.ceiling.ingressBytesPerSecond + 1 })).rejects.toBeInstanceOf(ValidationError);
    expect((await client.clusters.update(cluster.id, { settings: { autoCreateTopics: true } })).settings).toEqual({ autoCreateTopics: true });
    const key = await client.clusterApiKeys.create(cluster.id, { description: 'rated' });
    expect((await client.clusterApiKeys.update(cluster.id, key.id, { quota: { ingressBytesPerSecond: 4096 } })).quota).toEqual({ ingressBytesPerSecond: 4096 });

    const overview = await client.quotas();
    expect(overview.clusters.used).toBe(1);
    expect(overview.clusterQuotas[0]).toMatchObject({ clusterId: cluster.id, measuredAt: null, ingressBytesPerSecond: { limit: 1_048_576, used: null } });
    await t.db.prisma.organization.update({ where: { id: me.organization.id }, data: { maxClusters: 1 } });
    const refused = await client.clusters.create({ name: 'one-too-many', plan: 'basic' }).catch((e) => e);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect(refused.status).toBe(403);
  });

  it("downloads a cluster's CA certificate as PEM text, and throws NotFoundError for another organization's", async () => {
    const owner = createClient({ baseUrl });
    await owner.signup({ email: `ca-${Date.now()}@example.com`, password: 'correct horse battery staple', organizationName: 'CA owner' });
    const cluster = await owner.clusters.create({ name: 'with-ca', plan: 'basic' });
    const pem = await owner.clusters.caPem(cluster.id);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/);
    const stranger = createClient({ baseUrl });
    await stranger.signup({ email: `ca-stranger-${Date.now()}@example.com`, password: 'correct horse battery staple', organizationName: 'Stranger' });
    await expect(stranger.clusters.caPem(cluster.id)).rejects.toBeInstanceOf(NotFoundError);
  });
  it('reads usage and an invoice as CSV text, and throws NotFoundError for another organization\'s invoice', async () => {
    const owner = createClient({ baseUrl });
    await owner.signup({ email: `csv-${Date.now()}@example.com`, password, organizationName: 'CSV owner' });
    const cluster = await owner.clusters.create({ name: 'billed', plan: 'basic' });
    const draft = (await owner.invoices.list()).items.find((i) => i.status === 'draft')!;
    const [header, ...rows] = (await owner.invoices.csv(draft.id)).trim().split('\r\n');
    expect(header).toBe('invoice_id,period_start,period_end,status,cluster_id,dimension,quantity,unit,unit_price_micros,price_unit,amount_micros');
    expect(rows.some((r) => r.startsWith(`${draft.id},`) && r.includes(`,${cluster.id},cluster_hours,`))).toBe(true);
    const hour = 3_600_000;
    const range = { from: new Date(Math.floor(Date.now() / hour) * hour).toISOString(), to: new Date(Math.floor(Date.now() / hour) * hour + hour).toISOString() };
    const usage = (await owner.usage.csv(range)).trim().split('\r\n');
    expect(usage.slice(1)).toHaveLength((await owner.usage.get(range)).items.length);
    const stranger = createClient({ baseUrl });
    await stranger.signup({ email: `csv-stranger-${Date.now()}@example.com`, password, organizationName: 'Stranger' });
    await expect(stranger.invoices.csv(draft.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
