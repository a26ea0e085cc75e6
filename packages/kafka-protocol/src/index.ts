export { crc32c } from './primitives/crc32c.ts';
export * from './records/batch-header.ts';
