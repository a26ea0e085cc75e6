import { z } from 'zod';

/**
 * What an idempotent replay of a create answers in place of its shown-once secret. The first answer
 * is the only one that carries the secret: Fjord stores the replayable answer with this marker instead.
 */
export const redactedSecret = '<redacted: shown once>';

const shownOnce = new WeakSet<z.ZodType>();

/** A field of a create answer that is shown once and never stored in the clear (not even for replays). */
export function shownOnceSecret(description: string): z.ZodString {
  const field = z
    .string()
    .describe(`${description} Shown once: an idempotent replay of the request answers \`${redactedSecret}\` here.`);
  shownOnce.add(field);
  return field;
}

/** The top-level fields of a response schema that hold shown-once secrets. */
export function shownOnceFields(schema: z.ZodType | undefined): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => shownOnce.has(field))
    .map(([name]) => name);
}
