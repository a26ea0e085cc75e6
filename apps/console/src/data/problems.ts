import { FjordApiError } from '@fjord/sdk';

/** Field errors of a failed request, by the request field they name (`configs.retention.ms` and all). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof FjordApiError)) return {};
  return Object.fromEntries(error.errors.map((e) => [e.field, e.message]));
}

/** Whether every field error of `error` is shown next to one of `fields` (then no banner repeats them). */
export function onlyFieldErrors(error: unknown, fields: string[]): boolean {
  return error instanceof FjordApiError && error.errors.length > 0 && error.errors.every((e) => fields.includes(e.field));
}
