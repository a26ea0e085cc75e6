// @peculiar/x509 resolves its codecs through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import net from 'node:net';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A certificate and its private key, as PEM (what the broker's `tls` config takes). */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate extends KeyPairPem {
  notAfter: Date;
}

const DAY_MS = 86_400_000;
/** How long a broker certificate is valid. */
export const BROKER_CERTIFICATE_DAYS = 365;
const AUTHORITY_DAYS = 20 * 365;
/** ECDSA P-256: every Kafka client's TLS stack takes it, and keys cost well under a millisecond to make. */
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
// Starts a little in the past, so a client whose clock runs behind still accepts a fresh certificate.
const backdated = (now: Date) => new Date(now.getTime() - 3_600_000);
// A positive 128-bit serial, unique without bookkeeping.
const serial = () => `01${randomBytes(15).toString('hex')}`;

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * The certificate authority of one Fjord installation: it signs the certificate each broker serves,
 * and clients trust brokers by trusting its certificate (`GET /v1/clusters/:id/ca.pem`).
 */
export class CertificateAuthority {
  readonly certPem: string;
  readonly #cert: x509.X509Certificate;
  readonly #key: CryptoKey;

  private constructor(cert: x509.X509Certificate, key: CryptoKey) {
    this.#cert = cert;
    this.#key = key;
    this.certPem = cert.toString('pem');
  }

  /** A new authority with its own key. */
  static async create(now = new Date()): Promise<{ authority: CertificateAuthority; keyPem: string }> {
    const keys = await newKeys();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=Fjord installation CA ${randomBytes(4).toString('hex')}, O=Fjord`,
      notBefore: backdated(now),
      notAfter: new Date(now.getTime() + AUTHORITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { authority: new CertificateAuthority(cert, keys.privateKey), keyPem: await keyPem(keys.privateKey) };
  }

  /** The authority as stored: its certificate and its private key. */
  static async load({ certPem, keyPem }: KeyPairPem): Promise<CertificateAuthority> {
    const der = x509.PemConverter.decodeFirst(keyPem);
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return new CertificateAuthority(new x509.X509Certificate(certPem), key);
  }

  /** A server certificate for `host` (an IP address or a DNS name, as clients bootstrap to it), with a key of its own. */
  async issue(host: string, now = new Date()): Promise<IssuedCertificate> {
    const keys = await newKeys();
    const notAfter = new Date(now.getTime() + BROKER_CERTIFICATE_DAYS * DAY_MS);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${host.replace(/[,+="\\<>;]/g, '')}`,
      issuer: this.#cert.subject,
      notBefore: backdated(now),
      notAfter,
      publicKey: keys.publicKey,
      signingKey: this.#key,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: net.isIP(host) ? 'ip' : 'dns', value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(this.#cert),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey), notAfter };
  }
}
