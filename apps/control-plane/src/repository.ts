import type { Prisma, PrismaClient } from '@fjord/db';

/** What repositories query through: the client, or the client of an open transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Prisma's "unique constraint failed" (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

/** Rows are fetched one past the page size so the page knows whether another follows. */
export interface PageRequest {
  limit: number;
  after?: string;
}
