import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { expectProblem, signup } from './helpers.ts';
import type { Database } from '@fjord/db';
import type { FastifyInstance } from 'fastify';

const [backend] = await testBackends();

describe('authentication by default', () => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await backend.open();
    app = await buildApp({ prisma: db.prisma });
    // Routes added the way any new module would, one saying nothing about authentication.
    app.get('/v1/unmarked', async (req) => ({ orgId: req.ctx.orgId }));
    app.get('/v1/marked-public', { config: { auth: 'public' } }, async () => ({ open: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('answers 401 on a route not marked public, and serves it once signed in', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/v1/unmarked' }), 401, 'unauthorized');
    const { auth, orgId } = await signup(app);
    const res = await app.inject({ method: 'GET', url: '/v1/unmarked', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ orgId });
  });

  it('serves a route marked public without credentials, and an unknown path still answers 404', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/marked-public' })).json()).toEqual({ open: true });
    expectProblem(await app.inject({ method: 'GET', url: '/v1/no-such-route' }), 404, 'not-found');
  });
});
