import { parseSecretHash, verifySecret, type Credential, type ParsedSecretHash } from '@fjord/broker-contract';

/** Verifies secrets against the credentials currently in force; swapped whole when the control plane sends new ones. */
export class CredentialStore {
  #byKey = new Map<string, { secretHash: string; parsed: ParsedSecretHash }>();

  constructor(credentials: readonly Credential[] = []) {
    this.replace(credentials);
  }

  /** Puts `credentials` in force; returns the keys that no longer verify as before (removed, or given a new secret). */
  replace(credentials: readonly Credential[]): string[] {
    const next = new Map<string, { secretHash: string; parsed: ParsedSecretHash }>();
    for (const { key, secretHash } of credentials) {
      const parsed = parseSecretHash(secretHash);
      if (parsed) next.set(key, { secretHash, parsed });
    }
    const revoked = [...this.#byKey].filter(([key, old]) => next.get(key)?.secretHash !== old.secretHash).map(([key]) => key);
    this.#byKey = next;
    return revoked;
  }

  get size(): number {
    return this.#byKey.size;
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  verify(key: string, secret: string): boolean {
    return verifySecret(this.#byKey.get(key)?.parsed, secret);
  }
}
