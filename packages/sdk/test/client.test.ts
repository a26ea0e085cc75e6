import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, FjordApiError, NotFoundError } from '@fjord/sdk';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

// A plain HTTP server standing in for the API, so each answer can be exactly what the test needs.
describe('FjordClient over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen;
  let answer: { status: number; type: string; body: string; headers?: Record<string, string> };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
        res.end(answer.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const key = { id: '01a21167-5f52-707c-85b2-59b95110884f', description: 'd', createdAt: '2026-01-01T00:00:00.000Z' };

  it('builds paths, queries and headers from the endpoint table', async () => {
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ items: [key], nextCursor: null }) };
    const client = createClient({ baseUrl, apiKey: 'fjk_secret' });
    expect(await client.apiKeys.list({ limit: 5, cursor: 'a b' })).toEqual({ items: [key], nextCursor: null });
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/v1/api-keys?limit=5&cursor=a+b');
    expect(seen.headers.authorization).toBe('Bearer fjk_secret');

    answer = { status: 204, type: 'text/plain', body: '' };
    await client.apiKeys.delete(key.id, { idempotencyKey: 'once' });
    expect(seen).toMatchObject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` });
    expect(seen.headers['idempotency-key']).toBe('once');
  });

  it('keeps the session cookie it is given and drops it when the server expires it', async () => {
    const me = { user: null, apiKey: null, organization: { id: key.id, name: 'o' }, role: 'owner' };
    answer = { status: 200, type: 'application/json', body: JSON.stringify(me), headers: { 'set-cookie': 'fjord_session=fjs_abc; Path=/; HttpOnly' } };
    const client = createClient({ baseUrl });
    await client.login({ email: 'a@b.co', password: 'x' });
    expect(client.session).toBe('fjs_abc');
    expect(JSON.parse(seen.body)).toEqual({ email: 'a@b.co', password: 'x' });
    await client.me();
    expect(seen.headers.cookie).toBe('fjord_session=fjs_abc');
    answer = { status: 204, type: 'text/plain', body: '', headers: { 'set-cookie': 'fjord_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT' } };
    await client.logout();
    expect(client.session).toBeUndefined();
  });

  it('turns problem details into typed errors and anything else into a FjordApiError', async () => {
    const problem = { type: 'https://fjord.dev/problems/not-found', title: 'Not found', status: 404, detail: 'gone', instance: '/v1/me', code: 'FJ_NOT_FOUND' };
    answer = { status: 404, type: 'application/problem+json', body: JSON.stringify(problem) };
    const client = createClient({ baseUrl });
    const err = await client.me().catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.problem).toEqual(problem);

    answer = { status: 502, type: 'text/html', body: '<html>bad gateway</html>' };
    const proxy = await client.me().catch((e) => e);
    expect(proxy).toBeInstanceOf(FjordApiError);
    expect(proxy).toMatchObject({ status: 502, code: 'FJ_UNEXPECTED_RESPONSE' });
  });

  it("reads a partition's latest messages, and runs on a browser's fetch, whose answers hide Set-Cookie", async () => {
    const read = { topic: 'orders', partition: 1, logStartOffset: 0, highWatermark: 0, items: [] };
    answer = { status: 200, type: 'application/json', body: JSON.stringify(read), headers: { 'set-cookie': 'fjord_session=fjs_x; Path=/' } };
    const browserFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const headers = new Headers(res.headers);
      headers.delete('set-cookie');
      // A browser's Headers may predate getSetCookie; the page never sees the cookie either way.
      Object.defineProperty(headers, 'getSetCookie', { value: undefined });
      return new Response(await res.text(), { status: res.status, headers });
    };
    const client = createClient({ baseUrl, fetch: browserFetch });
    expect(await client.topics.messages(key.id, 'orders', { partition: 1, limit: 5 })).toEqual(read);
    expect(seen).toMatchObject({ method: 'GET', url: `/v1/clusters/${key.id}/topics/orders/messages?partition=1&limit=5` });
    expect(client.session).toBeUndefined();
  });

  it('asks for CSV with Accept: text/csv and answers the text as sent; a problem is still a typed error', async () => {
    const csv = 'invoice_id,period_start\r\nx,2026-12-01T00:00:00.000Z\r\n';
    answer = { status: 200, type: 'text/csv; charset=utf-8', body: csv };
    const client = createClient({ baseUrl });
    expect(await client.invoices.csv(key.id)).toBe(csv);
    expect(seen).toMatchObject({ method: 'GET', url: `/v1/invoices/${key.id}` });
    expect(seen.headers.accept).toBe('text/csv, application/problem+json');
    await client.usage.csv({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', granularity: 'day' });
    expect(seen.url).toBe('/v1/usage?from=2026-12-01T00%3A00%3A00Z&to=2026-12-02T00%3A00%3A00Z&granularity=day');

    const problem = { type: 'https://fjord.dev/problems/not-found', title: 'Not found', status: 404, detail: 'gone', instance: '/v1/invoices/x', code: 'FJ_NOT_FOUND' };
    answer = { status: 404, type: 'application/problem+json', body: JSON.stringify(problem) };
    expect(await client.invoices.csv(key.id).catch((e) => e)).toBeInstanceOf(NotFoundError);
  });

  it('refuses a success body that does not match the contract', async () => {
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ items: 'nope' }) };
    await expect(createClient({ baseUrl }).apiKeys.list()).rejects.toThrow();
  });
});
