import path from 'node:path';
import type { BrokerObjectStore } from '@fjord/broker-contract';
import type { ObjectStoreConfig } from '@fjord/object-store';

/**
 * The object store clusters tier to, from the same settings the brokers get: a filesystem store under
 * `<dataDir>/objects` by default, S3 with `FJORD_OBJECT_STORE=s3` (`FJORD_S3_BUCKET`, `FJORD_S3_REGION`,
 * optional `FJORD_S3_ENDPOINT`). `prefix` is `FJORD_S3_PREFIX`, put before every cluster's prefix.
 */
export function objectStoreFromEnv(env: NodeJS.ProcessEnv, dataDir: string): { config: ObjectStoreConfig; prefix: string } {
  if (env.FJORD_OBJECT_STORE !== 's3') return { config: { kind: 'fs', root: path.resolve(dataDir, 'objects') }, prefix: '' };
  const bucket = env.FJORD_S3_BUCKET;
  const region = env.FJORD_S3_REGION ?? env.AWS_REGION;
  if (!bucket || !region) throw new Error('FJORD_OBJECT_STORE=s3 needs FJORD_S3_BUCKET and FJORD_S3_REGION (or AWS_REGION)');
  const endpoint = env.FJORD_S3_ENDPOINT || undefined;
  const prefix = env.FJORD_S3_PREFIX ? `${env.FJORD_S3_PREFIX.replace(/\/+$/, '')}/` : '';
  return { config: { kind: 's3', bucket, region, endpoint, forcePathStyle: endpoint !== undefined }, prefix };
}

/** The same store as the brokers' config names it: they tier into it (credentials come from their own SDK chain). */
export function brokerObjectStore(config: ObjectStoreConfig, prefix: string): BrokerObjectStore {
  if (config.kind === 'fs') return { kind: 'fs', root: path.resolve(config.root), prefix };
  const { bucket, region, endpoint, forcePathStyle, requestChecksumCalculation, responseChecksumValidation } = config;
  return { kind: 's3', bucket, region, endpoint, forcePathStyle, requestChecksumCalculation, responseChecksumValidation, prefix };
}
