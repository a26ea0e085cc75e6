import type { FieldError, PlanLimits } from '@fjord/api';
import { ApiProblem } from '../../errors.ts';

/** Whether `value` of limit `name` exceeds `max`; for retention, -1 (unlimited) is the widest. */
export function exceeds(name: keyof PlanLimits, value: number, max: number): boolean {
  if (name === 'maxRetentionMs') return max !== -1 && (value === -1 || value > max);
  return value > max;
}

/**
 * Refuses quotas above the plan's ceiling with 400, naming each field and its ceiling. Null and absent
 * values (a quota removed, or left as it is) pass.
 */
export function assertWithinCeiling(
  ceiling: PlanLimits,
  values: Partial<Record<keyof PlanLimits, number | null | undefined>>,
  fieldPrefix?: string,
): void {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(values) as [keyof PlanLimits, number | null | undefined][]) {
    if (value === null || value === undefined || !exceeds(name, value, ceiling[name])) continue;
    errors.push({ field: fieldPrefix ? `${fieldPrefix}.${name}` : name, message: `At most ${ceiling[name]} (the plan's ceiling)` });
  }
  if (errors.length > 0) {
    throw new ApiProblem('FJ_VALIDATION', errors.map((e) => `${e.field} is above the plan's ceiling of ${ceiling[e.field.split('.').pop() as keyof PlanLimits]}`).join('; '), errors);
  }
}
