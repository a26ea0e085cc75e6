import { randomBytes, randomUUID } from 'node:crypto';
import type { UsageReport, UsageSample } from '@fjord/broker-contract';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { bearer, expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();
const HOUR = 3_600_000;

describe.each(backends)('usage metering and invoices on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let clusterId: string;
  let token: string;
  const secrets = new ClusterSecrets(randomBytes(32));
  /** The control plane's clock for metering runs this far ahead of the real one; tests move it past a month end. */
  let shift = 0;
  /** Set: the clock stands still there (a draft's cluster-hours grow with it). */
  let frozen: number | undefined;
  const setClock = (at: number) => (shift = at - Date.now());

  const createCluster = async (who: SignedUp, plan = 'standard') => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: who.auth, payload: { name: `m-${randomUUID().slice(0, 8)}`, plan } });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id as string;
  };
  const sample = (fields: Partial<UsageSample> & Pick<UsageSample, 'metric' | 'quantity'>, cluster = clusterId, now = Date.now()): UsageSample => ({
    id: randomUUID(),
    clusterId: cluster,
    start: new Date(now - 5_000).toISOString(),
    end: new Date(now).toISOString(),
    ...fields,
  });
  const report = (samples: UsageSample[], cluster = clusterId, tok = token) =>
    t.app.inject({ method: 'POST', url: '/internal/usage', headers: bearer(tok), payload: { clusterId: cluster, nodeId: 0, samples } satisfies UsageReport });
  const usage = async (who: SignedUp, query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/usage?${query}`, headers: who.auth });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as { clusterId: string; dimension: string; quantity: string; topic?: string; apiKeyId?: string; start: string; end: string }[];
  };
  const range = () => `from=${new Date(Date.now() - 2 * HOUR).toISOString()}&to=${new Date(Date.now() + HOUR).toISOString()}`;
  const sum = (items: { dimension: string; quantity: string }[], dimension: string) =>
    items.filter((i) => i.dimension === dimension).reduce((s, i) => s + BigInt(i.quantity), 0n);

  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets, clock: () => new Date(frozen ?? Date.now() + shift) });
    a = await signup(t.app, 'Meter');
    b = await signup(t.app, 'Other');
    clusterId = await createCluster(a);
    token = secrets.brokerToken(clusterId);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts a retried sample once, per topic and per API key, and the groups add up to the total', async () => {
    const keyRes = await t.app.inject({ method: 'POST', url: `/v1/clusters/${clusterId}/api-keys`, headers: a.auth, payload: { description: 'app' } });
    expect(keyRes.statusCode, keyRes.body).toBe(201);
    const key = keyRes.json();
    const samples = [
      sample({ metric: 'ingress_bytes', quantity: '1000', topic: 'orders', principal: key.key }),
      sample({ metric: 'ingress_bytes', quantity: '500', topic: 'payments', principal: key.key }),
      sample({ metric: 'egress_bytes', quantity: '700', topic: 'orders', principal: key.key }),
      sample({ metric: 'connections', quantity: '3' }),
    ];
    const first = await report(samples);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().accepted).toEqual(samples.map((s) => s.id));
    // The broker did not hear the answer and sends the same samples again, with one more.
    const extra = sample({ metric: 'ingress_bytes', quantity: '250', topic: 'orders' });
    expect((await report([...samples, extra])).json().accepted).toHaveLength(5);

    const total = await usage(a, `clusterId=${clusterId}&${range()}`);
    expect(sum(total, 'ingress_bytes')).toBe(1750n);
    expect(sum(total, 'egress_bytes')).toBe(700n);
    const byTopic = await usage(a, `clusterId=${clusterId}&${range()}&groupBy=topic`);
    expect(sum(byTopic.filter((i) => i.topic === 'orders'), 'ingress_bytes')).toBe(1250n);
    expect(sum(byTopic.filter((i) => i.topic === 'payments'), 'ingress_bytes')).toBe(500n);
    expect(sum(byTopic, 'ingress_bytes')).toBe(1750n);
    const byKey = await usage(a, `${range()}&groupBy=apiKey&granularity=day`);
    expect(sum(byKey.filter((i) => i.apiKeyId === key.id), 'ingress_bytes')).toBe(1500n);
    expect(sum(byKey, 'ingress_bytes')).toBe(1750n);
    expect(byKey.every((i) => Date.parse(i.end) - Date.parse(i.start) === 24 * HOUR)).toBe(true);
  });

  it('integrates gauges into byte-hours and partition-hours, and shows cluster-hours', async () => {
    const c = await createCluster(a);
    // One clock reading for both ends: two readings can be a millisecond apart (0.100001 partition-hours).
    const now = Date.now();
    const start = new Date(now - 60_000).toISOString();
    const end = new Date(now).toISOString();
    const res = await report([sample({ metric: 'partitions', quantity: '6', start, end }, c), sample({ metric: 'hot_stored_bytes', quantity: '1000', start, end }, c)], c, secrets.brokerToken(c));
    expect(res.statusCode, res.body).toBe(200);
    const items = await usage(a, `clusterId=${c}&${range()}`);
    // 6 partitions for a minute is a tenth of a partition-hour.
    expect(items.find((i) => i.dimension === 'partition_hours')?.quantity).toBe('0.100000');
    expect(items.find((i) => i.dimension === 'storage_hot_byte_hours')?.quantity).toBe('16.666666');
    expect(items.some((i) => i.dimension === 'cluster_hours' && Number(i.quantity) > 0)).toBe(true);
  });

  it('refuses a report without the cluster’s broker token, or with a sample of another cluster', async () => {
    expectProblem(await report([sample({ metric: 'ingress_bytes', quantity: '1' })], clusterId, 'wrong'), 401, 'unauthorized');
    expectProblem(await report([sample({ metric: 'ingress_bytes', quantity: '1' })], 'not-a-uuid'), 401, 'unauthorized');
    expectProblem(await report([sample({ metric: 'ingress_bytes', quantity: '1' }, randomUUID())]), 400, 'validation');
    expectProblem(await report([sample({ metric: 'ingress_bytes', quantity: '-1' })]), 400, 'validation');
  });

  it('answers bad usage queries with 400 problem+json', async () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    for (const query of [
      `from=${at(0)}&to=${at(-HOUR)}`,
      `from=${at(-HOUR)}&to=${at(0)}&granularity=minute`,
      `from=${at(-367 * 24 * HOUR)}&to=${at(0)}`,
      `from=yesterday&to=${at(0)}`,
      `to=${at(0)}`,
      `from=${at(-HOUR)}&to=${at(0)}&groupBy=partition`,
      `from=${at(-HOUR)}&to=${at(0)}&clusterId=nope`,
    ]) {
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/usage?${query}`, headers: a.auth }), 400, 'validation');
    }
  });

  it("never shows another organization's usage or invoices", async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/usage?clusterId=${clusterId}&${range()}`, headers: b.auth }), 404, 'not-found');
    expect(await usage(b, range())).toEqual([]);
    const mine = (await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: a.auth })).json().items;
    const theirs = (await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: b.auth })).json().items;
    expect(theirs.map((i: { id: string }) => i.id)).not.toContain(mine[0].id);
    expect(theirs.every((i: { lines: unknown[] }) => i.lines.length === 0)).toBe(true);
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/invoices/${mine[0].id}`, headers: b.auth }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/invoices/${mine[0].id}`, headers: { accept: 'text/csv', ...b.auth } }), 404, 'not-found');
  });

  it('keeps a running draft with priced lines in integer micros that sum to the total, and exports it as CSV', async () => {
    frozen = Date.now();
    try {
      await checkDraft();
    } finally {
      frozen = undefined;
    }
  });

  async function checkDraft() {
    const res = await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: a.auth });
    expect(res.statusCode, res.body).toBe(200);
    const [draft] = res.json().items;
    expect(draft).toMatchObject({ status: 'draft', currency: 'USD' });
    expect(draft.lines.some((l: { dimension: string; amount: number }) => l.dimension === 'cluster_hours' && l.amount > 0)).toBe(true);
    expect(draft.lines.find((l: { dimension: string; clusterId: string }) => l.dimension === 'ingress_bytes' && l.clusterId === clusterId)?.quantity).toBe('1750');
    for (const l of draft.lines) expect(Number.isInteger(l.amount) && Number.isInteger(l.unitPrice)).toBe(true);
    expect(draft.total).toBe(draft.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0));
    expect(draft.subtotal).toBe(draft.total);

    const csv = await t.app.inject({ method: 'GET', url: `/v1/invoices/${draft.id}`, headers: { accept: 'text/csv', ...a.auth } });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('invoice_id,period_start,period_end,status,cluster_id,dimension,quantity,unit,unit_price_micros,price_unit,amount_micros');
    expect(rows).toHaveLength(draft.lines.length + 1);
    expect(rows.slice(1).reduce((s, r) => s + Number(r.split(',').at(-1)), 0)).toBe(draft.total);
    const usageCsv = await t.app.inject({ method: 'GET', url: `/v1/usage?${range()}`, headers: { accept: 'text/csv', ...a.auth } });
    expect(usageCsv.headers['content-type']).toMatch(/^text\/csv/);
    expect(usageCsv.body.split('\r\n')[0]).toBe('cluster_id,dimension,start,end,topic,api_key_id,quantity,unit');
  }

  it('bills a deleted cluster up to its deletion and not after', async () => {
    const c = await createCluster(a, 'dedicated');
    const kept = await createCluster(a, 'dedicated');
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${c}`, headers: a.auth })).statusCode).toBe(202);
    try {
      setClock(Date.now() + 2 * HOUR);
      const items = await usage(a, `from=${new Date(Date.now() - HOUR).toISOString()}&to=${new Date(Date.now() + 3 * HOUR).toISOString()}`);
      const hours = (id: string) => items.filter((i) => i.clusterId === id && i.dimension === 'cluster_hours').reduce((s, i) => s + Number(i.quantity), 0);
      expect(hours(c)).toBeLessThan(0.01);
      expect(hours(kept)).toBeGreaterThan(1.99);
      // Its usage stays visible after it is gone.
      expect((await t.app.inject({ method: 'GET', url: `/v1/usage?clusterId=${c}&${range()}`, headers: a.auth })).statusCode).toBe(200);
    } finally {
      shift = 0;
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${kept}`, headers: a.auth })).statusCode).toBe(202);
  });

  it('finalizes a month once after it ends; late samples land in the next month and the finalized invoice never changes', async () => {
    const month = new Date();
    const nextMonth = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
    const [draft] = (await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: a.auth })).json().items;
    expect(await t.app.services.invoices.finalizeDue()).not.toContain(draft.id);

    setClock(nextMonth + HOUR);
    expect(await t.app.services.invoices.finalizeDue()).toContain(draft.id);
    const finalized = (await t.app.inject({ method: 'GET', url: `/v1/invoices/${draft.id}`, headers: a.auth })).json();
    expect(finalized.status).toBe('finalized');
    expect(finalized.total).toBe(finalized.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0));
    expect(finalized.lines.find((l: { dimension: string; clusterId: string }) => l.dimension === 'ingress_bytes' && l.clusterId === clusterId)?.quantity).toBe('1750');

    // A sample of the finalized month arrives late (a broker that was cut off), and the job runs again.
    const late = sample({ metric: 'ingress_bytes', quantity: '4000', topic: 'orders' });
    expect((await report([late])).statusCode).toBe(200);
    expect(await t.app.services.invoices.finalizeDue()).toEqual([]);
    shift += HOUR;
    expect((await t.app.inject({ method: 'GET', url: `/v1/invoices/${draft.id}`, headers: a.auth })).json()).toEqual(finalized);

    const items = (await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: a.auth })).json().items;
    const next = items.find((i: { period: { start: string } }) => Date.parse(i.period.start) === nextMonth);
    expect(next.status).toBe('draft');
    expect(next.lines.find((l: { dimension: string; clusterId: string }) => l.dimension === 'ingress_bytes' && l.clusterId === clusterId)?.quantity).toBe('4000');
    expect(items.map((i: { id: string }) => i.id)).toContain(draft.id);

    // The next month ends too: the late usage is billed there, once.
    setClock(Date.UTC(new Date(nextMonth).getUTCFullYear(), new Date(nextMonth).getUTCMonth() + 1, 1) + HOUR);
    expect(await t.app.services.invoices.finalizeDue()).toContain(next.id);
    const billed = (await t.app.inject({ method: 'GET', url: `/v1/invoices/${next.id}`, headers: a.auth })).json();
    expect(billed.lines.find((l: { dimension: string; clusterId: string }) => l.dimension === 'ingress_bytes' && l.clusterId === clusterId)?.quantity).toBe('4000');
    expect((await t.app.inject({ method: 'GET', url: `/v1/invoices/${draft.id}`, headers: a.auth })).json()).toEqual(finalized);
  });
});
