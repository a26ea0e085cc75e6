import { randomUUID } from 'node:crypto';
import type { Database } from '@fjord/db';
import type { TestBackend } from '@fjord/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type AppDeps } from '../src/app.ts';
import { defaultRateLimits, type RateLimits } from '../src/plugins/rate-limits.ts';

/** Limits no test reaches unless it means to. */
export const unlimited = Object.fromEntries(
  Object.keys(defaultRateLimits).map((name) => [name, { max: 1_000_000, timeWindow: 60_000 }]),
) as RateLimits;

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

/** A control plane on a fresh database of `backend`, reached with `inject`. */
export async function startTestApp(backend: TestBackend, deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const db = await backend.open();
  const app = await buildApp({ prisma: db.prisma, ...deps, rateLimits: { ...unlimited, ...deps.rateLimits } });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export const password = 'correct horse battery staple';

export interface SignedUp {
  cookie: string;
  email: string;
  orgId: string;
  userId: string;
  /** Headers that authenticate as this user. */
  auth: { cookie: string };
}

export async function signup(app: FastifyInstance, name = 'Acme'): Promise<SignedUp> {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const res = await app.inject({ method: 'POST', url: '/v1/signup', payload: { email, password, organizationName: name } });
  expect(res.statusCode, res.body).toBe(201);
  const cookie = sessionCookieOf(res);
  const me = res.json();
  return { cookie, email, orgId: me.organization.id, userId: me.user.id, auth: { cookie } };
}

export function sessionCookieOf(res: LightMyRequestResponse): string {
  const header = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('fjord_session='));
  expect(header, 'a session cookie').toBeDefined();
  return header!.split(';')[0];
}

export async function createApiKey(app: FastifyInstance, headers: Record<string, string>, description = 'ci') {
  const res = await app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { description } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; description: string; createdAt: string };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Asserts an RFC 9457 answer with the given status and problem type slug, and returns its body. */
export function expectProblem(res: LightMyRequestResponse, status: number, slug: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ type: `https://fjord.dev/problems/${slug}`, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  return body as { type: string; title: string; status: number; detail: string; instance: string; code: string; errors?: { field: string; message: string }[] };
}
