import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateAll, KAFKA_4_1_MAX, SUPPORTED } from '../scripts/generate-apis.ts';

const spec = new URL('../spec/', import.meta.url);

describe('generated codec', () => {
  it('the vendored specs are the ones SHA256SUMS lists', () => {
    const sums = readFileSync(new URL('SHA256SUMS', spec), 'utf8').trim().split('\n');
    expect(sums.length).toBeGreaterThan(0);
    for (const line of sums) {
      const [hash, name] = line.split(/\s+/);
      const actual = createHash('sha256').update(readFileSync(new URL(`messages/${name}`, spec))).digest('hex');
      expect(actual, name).toBe(hash);
    }
  });

  it('src/apis is exactly what the generator produces from them', () => {
    for (const [name, text] of generateAll()) {
      expect(readFileSync(new URL(`../src/apis/${name}`, import.meta.url), 'utf8'), `${name} drifted: re-run the generator`).toBe(text);
    }
  });

  it('no API goes past the newest version Kafka 4.1 defines', () => {
    for (const [name, , max] of SUPPORTED) expect(max, name).toBeLessThanOrEqual(KAFKA_4_1_MAX[name]);
  });
});
