import type { Role as ApiRole } from '@fjord/api';
import type { Role as DbRole } from '@fjord/db';

/** The database spells roles as an enum in capitals; the API in lowercase. */
export const toApiRole = (role: DbRole): ApiRole => role.toLowerCase() as ApiRole;
export const toDbRole = (role: ApiRole): DbRole => role.toUpperCase() as DbRole;
