import type { PrismaClient } from '@fjord/db';
import type { ClusterSecrets } from '../cluster-secrets.ts';
import { isUniqueViolation } from '../repository.ts';
import { CertificateAuthority, type KeyPairPem } from './certificate-authority.ts';

/** The one authority row of an installation. */
const AUTHORITY_ID = 'installation';
const AUTHORITY_PURPOSE = 'tls-authority-key';
const BROKER_PURPOSE = 'tls-broker-key';
/** A certificate this close to its end is replaced at the broker's next start or check. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const needsRenewal = (notAfter: Date, now: Date) => notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS;

/**
 * The TLS material of an installation, kept in the database: the certificate authority (made once,
 * by whichever replica needs it first) and each cluster's broker certificate, reused until it nears
 * expiry or no longer names the cluster's host. Private keys are stored sealed with the server secret.
 */
export class BrokerCertificates {
  readonly #prisma: PrismaClient;
  readonly #secrets: ClusterSecrets;
  #authority: Promise<CertificateAuthority> | undefined;

  constructor(prisma: PrismaClient, secrets: ClusterSecrets) {
    this.#prisma = prisma;
    this.#secrets = secrets;
  }

  /** The authority's certificate, which clients trust to verify every broker. */
  async authorityPem(): Promise<string> {
    return (await this.#loadAuthority()).certPem;
  }

  /** The certificate and key the broker of `clusterId` serves on `host`. */
  async forBroker(clusterId: string, host: string, now = new Date()): Promise<KeyPairPem> {
    const stored = await this.#prisma.brokerCertificate.findUnique({ where: { clusterId } });
    if (stored && stored.host === host && !needsRenewal(stored.notAfter, now)) {
      return { certPem: stored.certPem, keyPem: this.#secrets.unseal(BROKER_PURPOSE, stored.keyCiphertext) };
    }
    const issued = await (await this.#loadAuthority()).issue(host, now);
    const row = { host, certPem: issued.certPem, keyCiphertext: this.#secrets.seal(BROKER_PURPOSE, issued.keyPem), notAfter: issued.notAfter };
    await this.#prisma.brokerCertificate.upsert({ where: { clusterId }, create: { clusterId, ...row }, update: row });
    return { certPem: issued.certPem, keyPem: issued.keyPem };
  }

  /** Whether the stored certificate of `clusterId` must be replaced (near expiry, another host, or none yet). */
  async stale(clusterId: string, host: string, now = new Date()): Promise<boolean> {
    const stored = await this.#prisma.brokerCertificate.findUnique({ where: { clusterId }, select: { host: true, notAfter: true } });
    return !stored || stored.host !== host || needsRenewal(stored.notAfter, now);
  }

  #loadAuthority(): Promise<CertificateAuthority> {
    this.#authority ??= this.#readOrCreateAuthority().catch((err) => {
      this.#authority = undefined;
      throw err;
    });
    return this.#authority;
  }

  async #readOrCreateAuthority(): Promise<CertificateAuthority> {
    const stored = await this.#prisma.tlsAuthority.findUnique({ where: { id: AUTHORITY_ID } });
    if (stored) return CertificateAuthority.load({ certPem: stored.certPem, keyPem: this.#secrets.unseal(AUTHORITY_PURPOSE, stored.keyCiphertext) });
    const { authority, keyPem } = await CertificateAuthority.create();
    try {
      await this.#prisma.tlsAuthority.create({ data: { id: AUTHORITY_ID, certPem: authority.certPem, keyCiphertext: this.#secrets.seal(AUTHORITY_PURPOSE, keyPem) } });
      return authority;
    } catch (err) {
      // Another replica made it first: everyone uses that one.
      if (isUniqueViolation(err)) return this.#readOrCreateAuthority();
      throw err;
    }
  }
}
