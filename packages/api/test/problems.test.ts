import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { problems, problemTypeBase } from '@fjord/api';

describe('the problem catalogue', () => {
  const entries = Object.entries(problems);

  it('keys each entry by its own code, in the FJ_ namespace', () => {
    for (const [key, p] of entries) {
      expect(p.code).toBe(key);
      expect(key).toMatch(/^FJ_[A-Z_]+$/);
    }
  });

  it('gives every entry its own stable type URI, an error status and a title', () => {
    const types = entries.map(([, p]) => p.type);
    expect(new Set(types).size).toBe(types.length);
    for (const [, p] of entries) {
      expect(p.type.startsWith(problemTypeBase)).toBe(true);
      expect(p.type.slice(problemTypeBase.length)).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(p.status).toBeGreaterThanOrEqual(400);
      expect(p.status).toBeLessThan(600);
      expect(p.title.length).toBeGreaterThan(0);
    }
  });

  it('is documented in README.md, code by code', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const [code, p] of entries) {
      expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${p.status} \\| \`${p.type.slice(problemTypeBase.length)}\` \\|`));
    }
  });
});
