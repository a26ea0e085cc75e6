import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { internalPaths } from '@fjord/broker-contract';
import { buildApp, ClusterSecrets } from '@fjord/control-plane';
import { openDatabase, type PrismaClient } from '@fjord/db';
import { createClient, type FjordClient } from '@fjord/sdk';
import type { FastifyInstance } from 'fastify';

export interface ListeningControlPlane {
  url: string;
  app: FastifyInstance;
  api: FjordClient;
  secrets: ClusterSecrets;
  /** The database, for tests that set what no public endpoint sets (operator overrides). */
  prisma: PrismaClient;
  /** A cluster of the signed-up organization (PROVISIONING: no reconciler runs here; tests start its broker). */
  clusterId: string;
  brokerToken: string;
  /** Requests the broker-facing API received, in order, but for usage reports (they come on a timer of their own). */
  internalRequests: string[];
  close(): Promise<void>;
}

/**
 * The real control plane (buildApp on an in-memory PGlite) listening on a loopback port, with one
 * organization signed up and one cluster created, for tests of what brokers exchange with it.
 */
export async function listeningControlPlane(): Promise<ListeningControlPlane> {
  const db = await openDatabase({ memory: true });
  await db.migrate();
  const secrets = new ClusterSecrets(randomBytes(32));
  const app = await buildApp({ prisma: db.prisma, clusterSecrets: secrets });
  const internalRequests: string[] = [];
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/internal/') && !req.url.startsWith(internalPaths.usage)) internalRequests.push(req.url);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const api = createClient({ baseUrl: url });
  await api.signup({ email: `contract-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Contract' });
  const cluster = await api.clusters.create({ name: 'contract', plan: 'basic' });
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    api,
    secrets,
    prisma: db.prisma,
    clusterId: cluster.id,
    brokerToken: secrets.brokerToken(cluster.id),
    internalRequests,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await db.close();
      })()),
  };
}
