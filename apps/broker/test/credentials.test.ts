import { describe, expect, it } from 'vitest';
import { makeCredential } from '@fjord/broker-contract';
import { CredentialStore } from '../src/server/credentials.ts';
import { authenticatePlain } from '../src/server/sasl.ts';

const plain = (authzid: string, user: string, pass: string) => Buffer.from(`${authzid}\0${user}\0${pass}`);

describe('credentials', () => {
  it('verifies the right secret only, for known keys only', () => {
    const store = new CredentialStore([makeCredential('FJ1', 'secret-one'), makeCredential('FJ2', 'secret-two')]);
    expect(store.verify('FJ1', 'secret-one')).toBe(true);
    expect(store.verify('FJ1', 'secret-two')).toBe(false);
    expect(store.verify('FJ3', 'secret-one')).toBe(false);
    const kept = store.replace([makeCredential('FJ3', 'secret-three'), makeCredential('FJ2', 'secret-two')]);
    // FJ2 got a new salt (so a new hash): it counts as revoked too, as its old secret no longer proves anything.
    expect(kept.sort()).toEqual(['FJ1', 'FJ2']);
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
  const checked = { store, checkSecrets: true };

  it('accepts username/password with an empty or matching authzid', async () => {
    expect(await authenticatePlain(plain('', 'FJKEY', 'pw'), checked, '127.0.0.1')).toEqual({ ok: true, principal: 'FJKEY' });
    expect(await authenticatePlain(plain('FJKEY', 'FJKEY', 'pw'), checked, '127.0.0.1')).toEqual({ ok: true, principal: 'FJKEY' });
  });

  it('refuses a wrong password, a foreign authzid and malformed tokens', async () => {
    expect((await authenticatePlain(plain('', 'FJKEY', 'nope'), checked, '127.0.0.1')).ok).toBe(false);
    expect((await authenticatePlain(plain('other', 'FJKEY', 'pw'), checked, '127.0.0.1')).ok).toBe(false);
    expect((await authenticatePlain(Buffer.from('FJKEY\0pw'), checked, '127.0.0.1')).ok).toBe(false);
    expect((await authenticatePlain(plain('', '', 'pw'), checked, '127.0.0.1')).ok).toBe(false);
  });

  it('skips the secret check when auth is off', async () => {
    expect(await authenticatePlain(plain('', 'anyone', 'anything'), { store, checkSecrets: false }, '127.0.0.1')).toEqual({ ok: true, principal: 'anyone' });
  });

  it('asks for fresh credentials for an unknown key only, and accepts it once they arrive', async () => {
    const fresh = new CredentialStore([makeCredential('FJOLD', 'old')]);
    let refreshes = 0;
    const credentials = {
      store: fresh,
      checkSecrets: true,
      refresh: async () => {
        refreshes++;
        fresh.replace([makeCredential('FJOLD', 'old'), makeCredential('FJNEW', 'new')]);
      },
    };
    expect((await authenticatePlain(plain('', 'FJOLD', 'wrong'), credentials, '127.0.0.1')).ok).toBe(false);
    expect(refreshes).toBe(0);
    expect(await authenticatePlain(plain('', 'FJNEW', 'new'), credentials, '127.0.0.1')).toEqual({ ok: true, principal: 'FJNEW' });
    expect(refreshes).toBe(1);
    expect((await authenticatePlain(plain('', 'FJNONE', 'x'), credentials, '127.0.0.1')).ok).toBe(false);
    expect(refreshes).toBe(2);
  });
});
