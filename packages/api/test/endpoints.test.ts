import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { endpoints, PageQuery, type Endpoint } from '@fjord/api';

describe('the endpoint table', () => {
  const all: [string, Endpoint][] = Object.entries(endpoints);

  it('puts every operation under /v1 with a unique operationId and method+path', () => {
    expect(new Set(all.map(([, e]) => e.operationId)).size).toBe(all.length);
    expect(new Set(all.map(([, e]) => `${e.method} ${e.path}`)).size).toBe(all.length);
    for (const [, e] of all) expect(e.path).toMatch(/^\/v1\//);
  });

  it('rejects unknown fields in every body, query and path schema (strict objects)', () => {
    for (const [name, e] of all) {
      for (const schema of [e.params, e.query, e.body]) {
        if (!schema) continue;
        expect(schema, name).toBeInstanceOf(z.ZodObject);
        expect((schema as z.ZodObject).def.catchall, name).toBeInstanceOf(z.ZodNever);
      }
    }
  });

  it('has a success body for every status but 204', () => {
    for (const [name, e] of all) expect(Boolean('response' in e && e.response), name).toBe(e.status !== 204);
  });

  it('bounds page sizes', () => {
    expect(PageQuery.parse({})).toEqual({ limit: 20 });
    expect(PageQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(PageQuery.safeParse({ limit: '0' }).success).toBe(false);
  });
});
