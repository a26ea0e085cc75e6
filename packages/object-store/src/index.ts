/**
 * @fjord/object-store: object storage behind one interface. `fs` keeps objects as files under a
 * root (the embedded default); `s3` talks to S3 or an S3-compatible server. Both pass the same
 * contract tests (test/contract.ts).
 */
export type { ListOptions, ListPage, ObjectStore, PutOptions } from './object-store.ts';
export { MAX_LIST_LIMIT } from './object-store.ts';
export { createObjectStore, type ObjectStoreConfig } from './create-object-store.ts';
export { FsObjectStore } from './fs-object-store.ts';
export { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';
export { ObjectStoreError, OBJECT_STORE_ERRORS, isNotFound, type ObjectStoreErrorCode } from './errors.ts';
