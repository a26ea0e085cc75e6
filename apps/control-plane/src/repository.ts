import type { Prisma, PrismaClient } from '@fjord/db';

/** What repositories query through: the client, or the client of an open transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * "Unique constraint failed": Prisma's P2002 through the pg adapter; the PGlite adapter passes
 * PostgreSQL's own SQLSTATE 23505 through instead.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'P2002' || code === '23505';
}

/** Rows are fetched one past the page size so the page knows whether another follows. */
export interface PageRequest {
  limit: number;
  after?: string;
}
