import { z } from 'zod';

/** Resource ids are UUIDs (version 7, so they sort by creation time). */
export const Id = z.uuid();

export const IdParams = z.object({ id: Id }).strict();

export const Timestamp = z.iso.datetime().describe('RFC 3339 timestamp, UTC');

export const Role = z.enum(['owner', 'admin', 'viewer']).meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;

export const Email = z.email().toLowerCase().max(254);
