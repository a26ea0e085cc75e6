import { ObjectStoreError } from './errors.ts';
import { FsObjectStore } from './fs-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';

export type ObjectStoreConfig = { kind: 'fs'; root: string } | ({ kind: 's3' } & S3ObjectStoreConfig);

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  switch (config.kind) {
    case 'fs':
      return new FsObjectStore(config.root);
    case 's3':
      return new S3ObjectStore(config);
    default:
      throw new ObjectStoreError('INVALID_CONFIG', undefined, `unknown kind ${JSON.stringify((config as { kind: unknown }).kind)}`);
  }
}
