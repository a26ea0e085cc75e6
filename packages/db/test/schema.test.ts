import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultSchemaPath, diffSchemaFromMigrations } from '@fjord/db';

describe('prisma/schema.prisma', () => {
  it('is fully described by the committed migrations (run `npm run db:migration -- <name>` after a change)', async () => {
    expect(await diffSchemaFromMigrations()).toBeUndefined();
  });

  it('is the schema the committed client was generated from (run `npm run db:generate` after a change)', async () => {
    const generated = await readFile(fileURLToPath(new URL('../generated/prisma/internal/class.ts', import.meta.url)), 'utf8');
    const inline = /"inlineSchema": (".*"),\n/.exec(generated);
    expect(inline).not.toBeNull();
    expect(JSON.parse(inline![1])).toBe(await readFile(defaultSchemaPath, 'utf8'));
  });
});
