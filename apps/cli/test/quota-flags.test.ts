import { PlanLimits } from '@fjord/api';
import { describe, expect, it } from 'vitest';
import { clusterQuotaFlags } from '../src/spec.ts';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('fjord quotas set', () => {
  it('has one flag per quota of the API, spelled as the API field in kebab-case', () => {
    expect(clusterQuotaFlags.map(([flag]) => flag).sort()).toEqual(Object.keys(PlanLimits.shape).map(kebab).sort());
  });
});
