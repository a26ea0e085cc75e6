import { z } from 'zod';
import type { Repositories } from '../data-access.ts';
import { sameHash } from '../cluster-secrets.ts';
import { sha256 } from '../credentials.ts';
import { ApiProblem } from '../errors.ts';

/** The cluster whose broker token this is; an unknown cluster and a wrong token look the same. */
export async function authenticateBroker(repos: Pick<Repositories, 'clusters'>, clusterId: string, token: string) {
  const cluster = z.uuid().safeParse(clusterId).success ? await repos.clusters.resolve(clusterId) : null;
  if (!cluster || !cluster.brokerTokenHash || !sameHash(sha256(token), cluster.brokerTokenHash)) {
    throw new ApiProblem('FJ_UNAUTHORIZED', 'the broker token is not valid for this cluster');
  }
  return cluster;
}
