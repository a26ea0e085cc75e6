import { describe, expect, it } from 'vitest';
import { CredentialStore, hashSecret, makeCredential } from '../src/server/credentials.ts';
import { authenticatePlain } from '../src/server/sasl.ts';

const plain = (authzid: string, user: string, pass: string) => Buffer.from(`${authzid}\0${user}\0${pass}`);

describe('credentials', () => {
  it('hashes as sha256$<salt>$<digest> with a fresh salt each time', () => {
    const a = hashSecret('s3cret');
    const b = hashSecret('s3cret');
    expect(a).toMatch(/^sha256\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right secret only, for known keys only', () => {
    const store = new CredentialStore([makeCredential('FJ1', 'secret-one'), makeCredential('FJ2', 'secret-two')]);
    expect(store.verify('FJ1', 'secret-one')).toBe(true);
    expect(store.verify('FJ1', 'secret-two')).toBe(false);
    expect(store.verify('FJ3', 'secret-one')).toBe(false);
    store.replace([makeCredential('FJ3', 'secret-three')]);
    expect(store.verify('FJ1', 'secret-one')).toBe(false);
    expect(store.verify('FJ3', 'secret-three')).toBe(true);
  });

  it('ignores malformed hashes', () => {
    const store = new CredentialStore([{ key: 'FJ1', secretHash: 'md5$abc$def' }, { key: 'FJ2', secretHash: 'sha256$$' }]);
    expect(store.size).toBe(0);
  });
});

describe('SASL/PLAIN', () => {
  const store = new CredentialStore([makeCredential('FJKEY', 'pw')]);

  it('accepts username/password with an empty or matching authzid', () => {
    expect(authenticatePlain(plain('', 'FJKEY', 'pw'), store, true)).toEqual({ ok: true, principal: 'FJKEY' });
    expect(authenticatePlain(plain('FJKEY', 'FJKEY', 'pw'), store, true)).toEqual({ ok: true, principal: 'FJKEY' });
  });

  it('refuses a wrong password, a foreign authzid and malformed tokens', () => {
    expect(authenticatePlain(plain('', 'FJKEY', 'nope'), store, true).ok).toBe(false);
    expect(authenticatePlain(plain('other', 'FJKEY', 'pw'), store, true).ok).toBe(false);
    expect(authenticatePlain(Buffer.from('FJKEY\0pw'), store, true).ok).toBe(false);
    expect(authenticatePlain(plain('', '', 'pw'), store, true).ok).toBe(false);
  });

  it('skips the secret check when auth is off', () => {
    expect(authenticatePlain(plain('', 'anyone', 'anything'), store, false)).toEqual({ ok: true, principal: 'anyone' });
  });
});
