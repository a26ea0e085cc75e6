export { FjordClient, createClient, type ClientOptions, type RequestOptions } from './client.ts';
export * from './errors.ts';
export type * from '@fjord/api';
