import { CertificateAuthority, type KeyPairPem } from '@fjord/control-plane';

export interface TestCertificates {
  /** What clients trust (kafkajs `ssl: { ca }`, kcat `ssl.ca.location`, the admin client's `tls`). */
  caPem: string;
  /** What a broker serves: its config's `tls`. */
  broker: KeyPairPem;
}

/** A fresh certificate authority and a broker certificate it signed for `host`, as the control plane issues them. */
export async function testCertificates(host = '127.0.0.1'): Promise<TestCertificates> {
  const { authority } = await CertificateAuthority.create();
  const { certPem, keyPem } = await authority.issue(host);
  return { caPem: authority.certPem, broker: { certPem, keyPem } };
}
