import { endpoints } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();

describe('GET /openapi.json', () => {
  let t: TestApp;
  let doc: { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
  beforeAll(async () => {
    t = await startTestApp(pglite);
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => t?.close());

  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every /v1 route the app serves, with its method and operationId', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const served = servedRoutes(t.app.printRoutes({ commonPrefix: false })).filter((r) => r.includes(' /v1/'));
    expect(served.length).toBeGreaterThan(0);
    expect(documented.sort()).toEqual(served.sort());
    const declared = Object.values(endpoints).map((e) => `${e.method} ${e.path}`);
    expect(documented.sort()).toEqual(declared.sort());
    const operationIds = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(operationIds.sort()).toEqual(Object.values(endpoints).map((e) => e.operationId).sort());
  });
});

/** `METHOD /path` for every route in fastify's printRoutes tree (HEAD is fastify's automatic twin of GET). */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}
