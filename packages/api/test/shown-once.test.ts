import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { endpoints, redactedSecret, shownOnceFields, type Endpoint } from '@fjord/api';

describe('shown-once secrets', () => {
  it('every response field named secret is marked shown once, so idempotency records never store it', () => {
    const all: Endpoint[] = Object.values(endpoints);
    const withSecret = all.filter((e) => e.response instanceof z.ZodObject && 'secret' in e.response.shape);
    expect(withSecret.map((e) => e.operationId).sort()).toEqual(['createApiKey', 'createClusterApiKey']);
    for (const e of withSecret) expect(shownOnceFields(e.response)).toEqual(['secret']);
  });

  it('fields of other responses are not, and the marker is documented on the field', () => {
    expect(shownOnceFields(endpoints.getApiKey.response)).toEqual([]);
    expect(shownOnceFields(undefined)).toEqual([]);
    expect(endpoints.createApiKey.response.shape.secret.description).toContain(redactedSecret);
  });
});
