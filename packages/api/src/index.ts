export * from './problems.ts';
export * from './common.ts';
export * from './pagination.ts';
export * from './accounts.ts';
export * from './api-keys.ts';
export * from './members.ts';
export * from './audit.ts';
export * from './endpoints.ts';
