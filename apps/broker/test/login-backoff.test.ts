import { describe, expect, it } from 'vitest';
import { LoginBackoff } from '../src/server/login-backoff.ts';

const limits = { failedLoginDelayMs: 100, maxFailedLoginDelayMs: 5000, failedLoginResetMs: 60_000 };

describe('LoginBackoff', () => {
  it('doubles the delay with each failure of an address or key, up to the ceiling', () => {
    const backoff = new LoginBackoff(limits, () => 0);
    const delays = Array.from({ length: 8 }, () => backoff.failed('10.0.0.1', 'FJKEY'));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('follows a key across addresses and an address across keys', () => {
    const backoff = new LoginBackoff(limits, () => 0);
    for (let i = 0; i < 4; i++) backoff.failed(`10.0.0.${i}`, 'FJKEY');
    expect(backoff.failed('10.0.0.9', 'FJKEY')).toBe(1600);
    expect(backoff.failed('10.0.0.9', 'FJOTHER')).toBe(200);
    expect(backoff.failed('10.0.0.10', undefined)).toBe(100);
  });

  it('forgets an address and a key after a quiet period', () => {
    let now = 0;
    const backoff = new LoginBackoff(limits, () => now);
    for (let i = 0; i < 10; i++) backoff.failed('10.0.0.1', 'FJKEY');
    now += 59_999;
    expect(backoff.failed('10.0.0.1', 'FJKEY')).toBe(5000);
    now += 60_000;
    expect(backoff.failed('10.0.0.1', 'FJKEY')).toBe(100);
  });
});
