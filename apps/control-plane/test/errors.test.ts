import { testBackends } from '@fjord/db/testing';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { expectProblem, password, sessionCookieOf, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('bad input on $name', (backend) => {
  let t: TestApp;
  let org: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(backend, { bodyLimit: 4096 });
    org = await signup(t.app, 'Strict');
  });
  afterAll(() => t?.close());

  async function rowCounts() {
    const p = t.db.prisma;
    return Promise.all([p.user.count(), p.organization.count(), p.session.count(), p.auditEvent.count(), p.apiKey.count(), p.idempotencyRecord.count()]);
  }

  const valid = { email: 'new@example.com', password, organizationName: 'New' };
  const signupCases: { name: string; payload: unknown; fields: string[] }[] = [
    { name: 'an invalid email', payload: { ...valid, email: 'not-an-email' }, fields: ['email'] },
    { name: 'a short password', payload: { ...valid, password: 'short' }, fields: ['password'] },
    { name: 'missing fields', payload: { email: valid.email }, fields: ['password', 'organizationName'] },
    { name: 'wrong types', payload: { ...valid, organizationName: 42, password: ['x'] }, fields: ['password', 'organizationName'] },
    { name: 'an unknown field', payload: { ...valid, plan: 'free' }, fields: ['plan'] },
    { name: 'a body that is not an object', payload: [valid], fields: ['body'] },
  ];

  it.each(signupCases)('signup with $name -> 400 problem naming the fields; nothing is written', async ({ payload, fields }) => {
    const before = await rowCounts();
    const res = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: payload as object });
    const problem = expectProblem(res, 400, 'validation');
    expect(problem.code).toBe('FJ_VALIDATION');
    expect([...new Set(problem.errors!.map((e) => e.field))].sort()).toEqual([...fields].sort());
    for (const field of fields) expect(problem.detail).toContain(field);
    expect(await rowCounts()).toEqual(before);
  });

  it('malformed JSON -> 400 malformed-body naming the body; nothing is written', async () => {
    const before = await rowCounts();
    const res = await t.app.inject({ method: 'POST', url: '/v1/signup', headers: { 'content-type': 'application/json' }, payload: '{"email": "a@b.co",' });
    expect(expectProblem(res, 400, 'malformed-body').errors![0].field).toBe('body');
    const whitespace = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...org.auth, 'content-type': 'application/json' }, payload: ' ' });
    expectProblem(whitespace, 400, 'malformed-body');
    expect(await rowCounts()).toEqual(before);
  });

  it('an empty JSON body is no body: accepted where none is taken, a validation problem where one is required', async () => {
    const json = { 'content-type': 'application/json' };
    const before = await rowCounts();
    const required = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...org.auth, ...json }, payload: '' });
    expect(expectProblem(required, 400, 'validation').errors!.map((e) => e.field)).toEqual(['body']);
    expect(await rowCounts()).toEqual(before);

    const key = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: org.auth, payload: { description: 'to revoke' } });
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.json().id}`, headers: { ...org.auth, ...json }, payload: '' });
    expect(revoked.statusCode, revoked.body).toBe(204);

    const session = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: org.email, password } });
    const cookie = sessionCookieOf(session);
    const out = await t.app.inject({ method: 'POST', url: '/v1/logout', headers: { cookie, ...json }, payload: '' });
    expect(out.statusCode, out.body).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie } }), 401, 'unauthorized');
  });

  it('what the router refuses is problem details too: an over-long path parameter (414), bad percent-encoding (400)', async () => {
    const long = await t.app.inject({ method: 'GET', url: `/v1/api-keys/${'a'.repeat(101)}`, headers: org.auth });
    expect(expectProblem(long, 414, 'uri-too-long').code).toBe('FJ_URI_TOO_LONG');
    expect(long.headers['x-request-id']).toBe(long.json().requestId);
    const encoding = await t.app.inject({ method: 'GET', url: '/v1/api-keys/%zz', headers: org.auth });
    expect(expectProblem(encoding, 400, 'bad-request').code).toBe('FJ_BAD_REQUEST');
    expectProblem(await t.app.inject({ method: 'PROPFIND', url: '/v1/me', headers: org.auth }), 404, 'not-found');
  });

  it('validates authenticated input too: unknown fields, wrong types, bad ids and queries', async () => {
    const before = await rowCounts();
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: org.auth, payload: { description: 'x', admin: true } });
    expect(expectProblem(unknown, 400, 'validation').errors).toEqual([{ field: 'admin', message: 'Unknown field' }]);
    const type = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: org.auth, payload: { description: 7 } });
    expect(expectProblem(type, 400, 'validation').errors!.map((e) => e.field)).toEqual(['description']);
    const role = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: org.auth, payload: { email: 'a@b.co', role: 'god' } });
    expect(expectProblem(role, 400, 'validation').errors!.map((e) => e.field)).toEqual(['role']);
    const id = await t.app.inject({ method: 'GET', url: '/v1/api-keys/not-a-uuid', headers: org.auth });
    expect(expectProblem(id, 400, 'validation').errors!.map((e) => e.field)).toEqual(['params.id']);
    const limit = await t.app.inject({ method: 'GET', url: '/v1/api-keys?limit=1000&sort=desc', headers: org.auth });
    expect(expectProblem(limit, 400, 'validation').errors!.map((e) => e.field).sort()).toEqual(['query.limit', 'query.sort']);
    expect(await rowCounts()).toEqual(before);
  });

  it('anonymous callers get 401 before any validation', async () => {
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: { nonsense: true } }), 401, 'unauthorized');
  });

  it('unknown routes -> 404, oversized bodies -> 413, other media types -> 415', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/nope' }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'PUT', url: '/v1/me' }), 404, 'not-found');
    const big = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { ...valid, organizationName: 'x'.repeat(10_000) } });
    expectProblem(big, 413, 'payload-too-large');
    const text = await t.app.inject({ method: 'POST', url: '/v1/signup', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expectProblem(text, 415, 'unsupported-media-type');
  });

  it('answers every request with a request id, keeping a sane one the caller sent', async () => {
    const mine = await t.app.inject({ method: 'HEAD', url: '/v1/me', headers: { ...org.auth, 'x-request-id': 'trace-42' } });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['x-request-id']).toBe('trace-42');
    const odd = await t.app.inject({ method: 'GET', url: '/v1/nope', headers: { 'x-request-id': 'not ok\u0001' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.json().requestId).toBe(odd.headers['x-request-id']);
  });

  it('no input yields a 500', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE');
    const paths = fc.constantFrom(
      '/v1/signup',
      '/v1/login',
      '/v1/me',
      '/v1/api-keys',
      '/v1/api-keys/01a21167-5f52-707c-85b2-59b95110884f',
      '/v1/api-keys/%00',
      '/v1/api-keys/%e0%a4%a',
      `/v1/api-keys/${'x'.repeat(150)}`,
      '/v1/organization/members',
      '/v1/organization/members/x',
      '/v1/audit-events?cursor=%ff%fe',
      '/v1/audit-events?limit=-1',
    );
    await fc.assert(
      fc.asyncProperty(methods, paths, fc.jsonValue(), fc.boolean(), fc.boolean(), async (method, url, body, signedIn, raw) => {
        const res = await t.app.inject({
          method,
          url,
          headers: { ...(signedIn ? org.auth : {}), 'content-type': 'application/json' },
          payload: raw ? JSON.stringify(body).slice(0, -1) : JSON.stringify(body),
        });
        expect(res.statusCode, `${method} ${url} ${res.body}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 150 },
    );
  });
});

// Node's HTTP parser refuses these before fastify sees a request; only a real socket shows the answer.
describe('requests that are not HTTP', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp(backends[0]);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  /** Sends raw bytes and reads the answer until the server closes the connection. */
  function exchange(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (raw += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head, body = ''] = raw.split('\r\n\r\n');
        const [statusLine, ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
      });
    });
  }

  it.each([
    { name: 'a malformed request line', request: 'GET /v1/me HTTP/1.1 extra\r\n\r\n', status: 400, slug: 'bad-request' },
    { name: 'an invalid header', request: 'GET /v1/me HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', status: 400, slug: 'bad-request' },
    { name: 'headers over 16 KiB', request: `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, slug: 'headers-too-large' },
  ])('$name -> $status problem details', async ({ request, status, slug }) => {
    const res = await exchange(request);
    expect(res.status, res.body).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ type: `https://fjord.dev/problems/${slug}`, status, requestId: res.headers['x-request-id'] });
  });
});

// A request that cannot start its transaction in time (a burst on a small pool, PGlite's single
// session) answers 503 with Retry-After and writes nothing, instead of a 500. PostgreSQL's
// transaction start reliably takes longer than a 1 ms wait, which makes the refusal certain.
const postgres = backends.find((b) => b.name === 'postgresql');
describe.skipIf(!postgres)(`a database too busy to start a transaction${postgres ? '' : ' (skipped: no PostgreSQL server)'}`, () => {
  let t: TestApp;
  let busy: FastifyInstance;
  let org: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(postgres!);
    org = await signup(t.app, 'Busy');
    busy = await buildApp({ prisma: t.db.prisma, transactionWaitMs: 1 });
  });
  afterAll(async () => {
    await busy?.close();
    await t?.close();
  });

  it('answers 503 unavailable with Retry-After, never 500, and writes nothing for the refused requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => busy.inject({ method: 'POST', url: '/v1/api-keys', headers: org.auth, payload: { description: `burst ${i}` } })),
    );
    const statuses = answers.map((res) => res.statusCode);
    expect(statuses.every((s) => s === 201 || s === 503), statuses.join(',')).toBe(true);
    const refused = answers.filter((res) => res.statusCode === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expectProblem(res, 503, 'unavailable');
      expect(res.headers['retry-after']).toBe('1');
    }
    const stored = await t.db.prisma.apiKey.count({ where: { orgId: org.orgId } });
    expect(stored).toBe(statuses.filter((s) => s === 201).length);
  });
});
