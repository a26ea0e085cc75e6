import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultOrganizationLimits, plans } from '@fjord/api';
import { createClient } from '@fjord/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../../control-plane/test/process.ts';
import { killLeftoverBrokers, startNpmControlPlane, until } from '../../../test/helpers/control-plane.ts';
import { runKcat } from '../../../test/helpers/kcat.ts';
import { fieldError, launchChromium, screenshot, watchedPage } from './browser.ts';

const password = 'correct horse battery staple';

// The console as a new user meets it: `npm start`'s control plane serving the built console to
// Debian's Chromium. One control plane and one browser for the whole story; each step builds on the last.
describe('web console in Chromium', () => {
  let dataDir: string;
  let cp: RunningControlPlane;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const email = `console-${randomBytes(4).toString('hex')}@example.com`;
  let clusterId = '';
  let bootstrap = '';
  let kcatConfig = '';
  let secret = '';
  let invoiceId = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-console-'));
    [cp, browser] = await Promise.all([startNpmControlPlane(dataDir, randomBytes(32).toString('base64')), launchChromium()]);
    context = await browser.newContext({ baseURL: cp.url, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    ({ page, problems } = await watchedPage(context));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cp?.stop();
    await killLeftoverBrokers(dataDir);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('opens / signed out at Log in, and signs up with the error for a bad email shown next to Email', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in to Fjord', exact: true }).waitFor();
    // A failure that names no field is shown with the problem's detail and its request id.
    await page.getByLabel('Email', { exact: true }).fill('nobody@example.com');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/email or password[\s\S]*Request id: [0-9a-f-]{36}/i);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Organization', { exact: true }).fill('Acme Streaming');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await until('the email error', async () => (await fieldError(page, 'Email')) ?? undefined, 15_000);
    expect(await fieldError(page, 'Email')).toMatch(/email/i);
    expect(await fieldError(page, 'Password')).toBeNull();
    await screenshot(page, 'sign-up');

    // By keyboard: Tab moves through the fields in order, Enter submits.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('autocomplete')).toBe('new-password');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
    await page.getByText('No clusters yet').waitFor();
    expect(page.url()).toBe(`${cp.url}/clusters`);
  });

  it('creates a cluster from the plan cards and sees it become RUNNING with its bootstrap servers', async () => {
    await page.getByRole('link', { name: 'Create cluster' }).click();
    await page.getByText('Standard', { exact: true }).waitFor();
    expect(await page.getByRole('radio').count()).toBe(3);
    await screenshot(page, 'create-cluster');
    await page.getByLabel('Cluster name', { exact: true }).fill('orders');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByRole('heading', { name: 'orders', exact: true }).waitFor();
    clusterId = page.url().split('/clusters/')[1];
    // No reload: the page polls while the cluster is provisioning.
    await page.locator('header [data-status="RUNNING"]').waitFor({ timeout: 60_000 });
    await page.getByRole('region', { name: 'Activity' }).getByText('cluster.running').waitFor();
    bootstrap = await page.getByTestId('bootstrap-servers').innerText();
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click();
    await page.getByRole('row', { name: /orders/ }).locator('[data-status="RUNNING"]').waitFor();
    await screenshot(page, 'clusters');
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    await page.getByRole('heading', { name: 'orders', exact: true }).waitFor();
  });

  it('creates a cluster API key, shows its secret once, and fills the client configs with it', async () => {
    await page.getByLabel('Key description', { exact: true }).fill('kcat on my laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('region', { name: 'New cluster API key secret' });
    await shown.waitFor();
    expect(await shown.innerText()).toContain('will not be shown again');
    secret = await shown.getByTestId('shown-once-secret').innerText();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('tab', { name: 'kcat' }).click();
    kcatConfig = await page.getByRole('tabpanel', { name: 'kcat config' }).locator('pre').innerText();
    expect(kcatConfig).toContain(`-b ${bootstrap}`);
    expect(kcatConfig).toContain(`sasl.password=${secret}`);
    for (const tab of ['kafkajs', 'Java properties', 'librdkafka']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await page.getByRole('tabpanel', { name: `${tab} config` }).innerText()).toContain(secret);
    }
    await screenshot(page, 'cluster-new-key');

    await page.reload();
    await page.getByRole('heading', { name: 'orders', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'kcat on my laptop' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('tab', { name: 'kcat' }).click();
    expect(await page.getByRole('tabpanel', { name: 'kcat config' }).innerText()).toContain('sasl.password=<cluster-api-secret>');
    await screenshot(page, 'cluster');
  });

  it('creates a topic, produces to it with kcat using the config the page shows, and sees the records in the message browser', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CA certificate' }).click();
    const workDir = await mkdtemp(path.join(tmpdir(), 'fjord-console-kcat-'));
    try {
      await (await download).saveAs(path.join(workDir, 'ca.pem'));
      await page.getByRole('link', { name: 'Topics' }).click();
      await page.getByRole('heading', { name: 'Topics', exact: true }).waitFor();
      await page.getByText('No topics yet').waitFor();
      await page.getByLabel('Topic name', { exact: true }).fill('events');
      await page.getByLabel('Partitions', { exact: true }).fill('1');
      await page.getByLabel('Retention (hours)', { exact: true }).fill('24');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('link', { name: 'events' }).waitFor();
      await screenshot(page, 'topics');

      // The command exactly as shown, run where the CA certificate was saved, producing keyed records with a header.
      const args = kcatConfig.replace(/\\\n/g, ' ').trim().split(/\s+/).slice(1);
      const produced = await runKcat([...args, '-P', '-t', 'events', '-K', ':', '-H', 'source=kcat'], 'user-1:hello\nuser-2:world\n', 30_000, workDir);
      expect(produced.code, produced.stderr).toBe(0);
      // A consumer group reads both records and commits them on leaving (its page is checked below).
      const grouped = await runKcat([...args, '-X', 'auto.offset.reset=earliest', '-G', 'console-readers', 'events', '-e', '-q'], '', 30_000, workDir);
      expect(grouped.stdout.trim().split('\n'), grouped.stderr).toHaveLength(2);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }

    await page.getByRole('link', { name: 'events' }).click();
    await page.getByRole('heading', { name: 'Messages', exact: true }).waitFor();
    const table = page.getByRole('table', { name: 'Messages of partition 0' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^0\s.*user-1\s+hello\s+source: kcat/s);
    expect(rows[1]).toMatch(/^1\s.*user-2\s+world\s+source: kcat/s);
    await page.getByRole('cell', { name: 'retention.ms', exact: true }).waitFor();
    expect(await page.getByRole('row', { name: /retention\.ms/ }).innerText()).toContain('86400000');
    await screenshot(page, 'topic');

    // Editing a config: the API's refusal next to the value, then the change on the row.
    await page.getByLabel('Config', { exact: true }).selectOption('retention.ms');
    await page.getByLabel('Value', { exact: true }).fill('soon');
    await page.getByRole('button', { name: 'Save config' }).click();
    await until('the value error', async () => (await fieldError(page, 'Value')) ?? undefined, 15_000);
    expect(await fieldError(page, 'Value')).toMatch(/integer/i);
    await page.getByLabel('Value', { exact: true }).fill('3600000');
    await page.getByRole('button', { name: 'Save config' }).click();
    await page.getByRole('cell', { name: '3600000', exact: true }).waitFor();
  });

  it("lists kcat's consumer group on the cluster page, shows its committed offsets and lag, and deletes it", async () => {
    await page.goto(`/clusters/${clusterId}`);
    const groups = page.getByRole('table', { name: 'Consumer groups' });
    await groups.waitFor();
    expect(await groups.getByRole('row', { name: /console-readers/ }).innerText()).toMatch(/^console-readers\s+classic\s+Empty\s+0\s+0$/);
    await groups.getByRole('link', { name: 'console-readers' }).click();
    await page.getByRole('heading', { name: 'console-readers', exact: true }).waitFor();
    const offsets = page.getByRole('table', { name: 'Committed offsets' });
    expect(await offsets.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^events\s+0\s+2\s+2\s+0$/)]);
    await page.getByText('No members: no consumer of this group is running.').waitFor();
    await screenshot(page, 'consumer-group');
    await page.getByRole('button', { name: 'Delete consumer group' }).click();
    await page.getByLabel('Type the consumer group name to confirm', { exact: true }).fill('console-readers');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('heading', { name: 'orders', exact: true }).waitFor();
    await page.getByText('No consumer groups yet').waitFor({ timeout: 15_000 });
  });

  it("shows the topic's ingress on the Usage screen within seconds of the kcat produce", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
    await page.getByLabel('Cluster', { exact: true }).selectOption({ label: 'orders' });
    await page.getByLabel('By topic', { exact: true }).check();
    // Brokers report every 5 s and the page refreshes as often: the produced bytes appear without a reload.
    const events = page.getByRole('table', { name: 'Ingress totals' }).getByRole('row', { name: /^events\s/ });
    await events.waitFor({ timeout: 20_000 });
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const fromApi = async () => {
      const { items } = await (await page.request.get(`/v1/usage?clusterId=${clusterId}&${range}&groupBy=topic`)).json();
      return (items as { dimension: string; topic?: string; quantity: string }[])
        .filter((i) => i.dimension === 'ingress_bytes' && i.topic === 'events')
        .reduce((sum, i) => sum + Number(i.quantity), 0);
    };
    const shown = await until('the page to show what the API meters', async () => {
      const [onPage, metered] = [Number(await events.locator('td').getAttribute('data-quantity')), await fromApi()];
      return onPage === metered ? onPage : undefined;
    }, 10_000);
    expect(shown).toBeGreaterThan('hello'.length + 'world'.length);
    expect(await events.innerText()).toMatch(/^events\s+\d+ B$/);
    const chart = page.getByRole('figure', { name: 'Ingress over time' });
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await chart.locator('.recharts-legend-item-text').allInnerTexts()).toEqual(['events']);
    await screenshot(page, 'usage');
  });

  it('lists the draft invoice with its priced ingress line and downloads its CSV', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invoices' }).click();
    const draft = page.getByRole('table', { name: 'Invoices' }).getByRole('row', { name: /Draft/ });
    await draft.waitFor();
    expect(await draft.innerText()).toMatch(/^\w+ \d{4}\s+Draft\s+\d+\s+\$\d+\.\d{2,6}$/);
    await screenshot(page, 'invoices');
    await draft.getByRole('link').click();
    const lines = page.getByRole('table', { name: 'Invoice lines' });
    await lines.waitFor();
    invoiceId = page.url().split('/invoices/')[1];
    const invoice = await (await page.request.get(`/v1/invoices/${invoiceId}`)).json();
    const ingress = invoice.lines.find((l: { dimension: string }) => l.dimension === 'ingress_bytes');
    expect(ingress.unitPrice).toBeGreaterThan(0);
    const row = await lines.getByRole('row', { name: /Ingress/ }).innerText();
    expect(row).toMatch(new RegExp(`^orders\\s+Ingress\\s+\\d+ B\\s+\\$${(ingress.unitPrice / 1e6).toFixed(2).replace('.', '\\.')} / GB\\s+\\$\\d+\\.\\d{2,6}$`));
    await screenshot(page, 'invoice');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`fjord-invoice-${invoice.period.start.slice(0, 7)}.csv`);
    const csv = await readFile((await file.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header).toBe('invoice_id,period_start,period_end,status,cluster_id,dimension,quantity,unit,unit_price_micros,price_unit,amount_micros');
    expect(rows).toHaveLength(invoice.lines.length);
    expect(rows).toContain(
      [invoiceId, invoice.period.start, invoice.period.end, 'draft', clusterId, 'ingress_bytes', ingress.quantity, 'bytes', ingress.unitPrice, 'GB', ingress.amount].join(','),
    );
  });

  it("shows the organization's limits and the cluster's quotas with their use", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quotas' }).click();
    await page.getByRole('heading', { name: 'Quotas', exact: true }).waitFor();
    const org = page.getByRole('table', { name: 'Organization limits' });
    expect(await org.getByRole('row', { name: /^Clusters/ }).innerText()).toMatch(new RegExp(`^Clusters\\s+1\\s+${defaultOrganizationLimits.maxClusters}`));
    const cluster = page.getByRole('table', { name: 'Quotas of orders' });
    expect(await cluster.getByRole('row', { name: /^Partitions/ }).innerText()).toContain(plans.basic.limits.maxPartitions.toLocaleString('en-US'));
    expect(await cluster.getByRole('row', { name: /^Cluster API keys/ }).innerText()).toMatch(/^Cluster API keys\s+1\s/);
    await screenshot(page, 'quotas');
  });

  it("lowers the cluster's quotas below its plan, shows a value over the ceiling next to its field, and puts one back", async () => {
    const ceiling = plans.basic.limits.maxPartitions;
    await page.getByRole('button', { name: 'Set quotas of orders' }).click();
    const form = page.getByRole('form', { name: 'Cluster quotas' });
    await form.getByLabel('Partitions', { exact: true }).fill(String(ceiling + 1));
    await form.getByRole('button', { name: 'Save quotas' }).click();
    await until('the partitions error', async () => (await fieldError(page, 'Partitions')) ?? undefined, 15_000);
    expect(await fieldError(page, 'Partitions')).toContain(String(ceiling));
    await screenshot(page, 'quotas-form');

    await form.getByLabel('Partitions', { exact: true }).fill('50');
    await form.getByLabel('Produce throughput (MB/s)', { exact: true }).fill('5');
    await form.getByLabel("Each key's consume rate (MB/s)", { exact: true }).fill('0.5');
    await form.getByRole('button', { name: 'Save quotas' }).click();
    await form.waitFor({ state: 'detached' });
    const cluster = page.getByRole('table', { name: 'Quotas of orders' });
    await until('the lowered partition limit', async () => ((await cluster.getByRole('row', { name: /^Partitions/ }).innerText()).match(/\s50\s*$/) ? true : undefined), 15_000);
    const quotas = (await (await page.request.get(`/v1/clusters/${clusterId}/quotas`)).json()) as { overrides: object; defaultKeyQuota: object | null };
    expect(quotas.overrides).toEqual({ maxPartitions: 50, ingressBytesPerSecond: 5_000_000 });
    expect(quotas.defaultKeyQuota).toEqual({ egressBytesPerSecond: 500_000 });

    await page.getByRole('button', { name: 'Set quotas of orders' }).click();
    for (const label of ['Partitions', 'Produce throughput (MB/s)', "Each key's consume rate (MB/s)"]) await form.getByLabel(label, { exact: true }).fill('');
    await form.getByRole('button', { name: 'Save quotas' }).click();
    await form.waitFor({ state: 'detached' });
    const reset = (await (await page.request.get(`/v1/clusters/${clusterId}/quotas`)).json()) as { overrides: object; defaultKeyQuota: object | null };
    expect(reset.overrides).toEqual({});
    expect(reset.defaultKeyQuota).toBeNull();
  });

  it('shows a duplicate cluster name next to the Cluster name field', async () => {
    await page.goto('/clusters/new');
    await page.getByLabel('Cluster name', { exact: true }).fill('orders');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await until('the name error', async () => (await fieldError(page, 'Cluster name')) ?? undefined, 15_000);
    expect(await fieldError(page, 'Cluster name')).toContain('already exists');
  });

  it('adds a viewer, who sees everything and no button that changes anything', async () => {
    const viewerEmail = `viewer-${randomBytes(4).toString('hex')}@example.com`;
    await createClient({ baseUrl: cp.url }).signup({ email: viewerEmail, password, organizationName: 'Viewer Own' });
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Member email', { exact: true }).fill(viewerEmail);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('cell', { name: viewerEmail, exact: true }).waitFor();
    await screenshot(page, 'members');
    const orgId = (await (await page.request.get('/v1/me')).json()).organization.id as string;

    const viewerContext = await browser.newContext({ baseURL: cp.url });
    try {
      const viewer = await watchedPage(viewerContext);
      // Signing in to an organization other than one's own is an API choice the login form does not offer yet.
      const login = await viewer.page.request.post('/v1/login', { data: { email: viewerEmail, password, organizationId: orgId }, headers: { origin: cp.url } });
      expect(login.status()).toBe(200);
      const mutating = /^(Create|Delete|Add|Remove|Save|Set|Reset|Revoke)/;
      // Each page is checked once its data is on it, so a button that would come with the data is not missed.
      const pages: [string, (p: Page) => Promise<void>][] = [
        ['/clusters', (p) => p.getByRole('link', { name: 'orders', exact: true }).waitFor()],
        [`/clusters/${clusterId}`, (p) => p.getByRole('cell', { name: 'kcat on my laptop', exact: true }).waitFor()],
        [`/clusters/${clusterId}/topics`, (p) => p.getByRole('link', { name: 'events', exact: true }).waitFor()],
        [`/clusters/${clusterId}/topics/events`, (p) => p.getByRole('cell', { name: 'retention.ms', exact: true }).waitFor()],
        ['/members', (p) => p.getByRole('cell', { name: email, exact: true }).waitFor()],
        ['/api-keys', (p) => p.getByText('No cloud API keys yet.').waitFor()],
        ['/usage', (p) => p.getByRole('table', { name: 'Ingress totals' }).getByRole('rowheader', { name: 'orders', exact: true }).waitFor()],
        ['/invoices', (p) => p.getByRole('table', { name: 'Invoices' }).getByRole('row', { name: /Draft/ }).waitFor()],
        [`/invoices/${invoiceId}`, (p) => p.getByRole('button', { name: 'Download CSV' }).waitFor()],
        ['/quotas', (p) => p.getByRole('table', { name: 'Quotas of orders' }).waitFor()],
      ];
      for (const [url, loaded] of pages) {
        await viewer.page.goto(url);
        await loaded(viewer.page);
        const buttons = await viewer.page.getByRole('button').allInnerTexts();
        expect(buttons.filter((b) => mutating.test(b.trim())), url).toEqual([]);
        expect(await viewer.page.getByRole('link', { name: 'Create cluster' }).count(), url).toBe(0);
        expect(await viewer.page.getByRole('combobox', { name: /^Role of/ }).count(), url).toBe(0);
        expect(await viewer.page.getByRole('textbox').count(), url).toBe(0);
      }
      await screenshot(viewer.page, 'viewer-api-keys');
      expect(viewer.problems).toEqual([]);
    } finally {
      await viewerContext.close();
    }
  });

  it('refuses a forged cross-origin POST: a page on another port of this host cannot log the user out', async () => {
    const cpUrl = new URL(cp.url);
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${cp.url}/v1/logout"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, cpUrl.hostname, resolve));
    const forged = await context.newPage();
    try {
      const answer = forged.waitForResponse((res) => res.url() === `${cp.url}/v1/logout`);
      await forged.goto(`http://${cpUrl.hostname}:${(attacker.address() as AddressInfo).port}/`);
      const res = await answer;
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('cross-origin request refused');
    } finally {
      await forged.close();
      await new Promise((resolve) => attacker.close(resolve));
    }
    // Still signed in.
    expect((await page.request.get('/v1/me')).status()).toBe(200);
  });

  it('shows the cloud API keys and the audit log of everything done', async () => {
    await page.getByRole('link', { name: 'Cloud API keys' }).click();
    await page.getByLabel('Description', { exact: true }).fill('ci deploys');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('region', { name: 'New cloud API key secret' }).waitFor();
    await screenshot(page, 'api-keys');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'cluster.create' }).waitFor();
    for (const action of ['cluster_api_key.create', 'topic.create', 'member.create', 'api_key.create']) {
      expect(await page.getByRole('cell', { name: action, exact: true }).count(), action).toBeGreaterThan(0);
    }
    await screenshot(page, 'audit-log');
  });

  it('deletes the cluster after its name is typed, and the list follows it to gone', async () => {
    await page.goto(`/clusters/${clusterId}`);
    await page.getByRole('button', { name: 'Delete cluster' }).click();
    const confirm = page.getByRole('button', { name: 'Delete', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Type the cluster name to confirm', { exact: true }).fill('order');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Type the cluster name to confirm', { exact: true }).fill('orders');
    await confirm.click();
    await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
    await page.getByText('No clusters yet').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
  });
});
