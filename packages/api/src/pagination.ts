import { z } from 'zod';

/** Query of every list endpoint. `cursor` is opaque: pass back the `nextCursor` of the previous page. */
export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
export type PageQuery = z.infer<typeof PageQuery>;

/** Shape of every list response: a page of items and the cursor of the next one (null on the last page). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
