export { openDatabase, type Database, type DatabaseOptions } from './client.ts';
export { migrate, readMigrations, defaultMigrationsDir, MigrationError, type Migration, type MigrationResult } from './migrate.ts';
export { diffSchemaFromMigrations, defaultSchemaPath, migrationLock } from './schema-diff.ts';
export { PrismaClient, Prisma, Role, ClusterStatus } from '../generated/prisma/client.ts';
export type { User, Organization, Membership, Session, ApiKey, AuditEvent, IdempotencyRecord, Cluster, ClusterApiKey, ClusterEvent } from '../generated/prisma/client.ts';
