import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root, from this file's place in it (packages/orchestrator/src/local/). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * `node --import <tsx> apps/broker/src/main.ts`, with absolute paths so the broker starts the
 * same whatever the working directory of the control plane.
 */
export function defaultBrokerCommand(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const main = fileURLToPath(new URL('../../../../apps/broker/src/main.ts', import.meta.url));
  return [process.execPath, '--import', tsx, main];
}
