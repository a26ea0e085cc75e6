import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `node --import <tsx> apps/broker/src/main.ts`, with absolute paths so the broker starts the
 * same whatever the working directory of the control plane.
 */
export function defaultBrokerCommand(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  // This file sits in packages/orchestrator/src/local/ of the repository that holds the broker.
  const main = fileURLToPath(new URL('../../../../apps/broker/src/main.ts', import.meta.url));
  return [process.execPath, '--import', tsx, main];
}
