import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { orchestratorError } from '../errors.ts';

// This file sits in packages/orchestrator/src/local/ of the repository that holds the broker.
const BUNDLE = fileURLToPath(new URL('../../../../apps/broker/dist/main.js', import.meta.url));

/**
 * `node apps/broker/dist/main.js`: the broker as built JavaScript (`npm install`, `npm start` and
 * `npm test` build it), with absolute paths so it starts the same whatever the working directory.
 */
export function defaultBrokerCommand(): string[] {
  if (!existsSync(BUNDLE)) {
    throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `the broker is not built (${BUNDLE} is missing): run npm run build -w @fjord/broker`);
  }
  return [process.execPath, BUNDLE];
}
