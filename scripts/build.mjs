// What `npm install` (prepare), `npm start` (prestart) and the tests' global setup build: the broker
// bundle the control plane starts clusters from, the web console it serves at `/`, and the `fjord` CLI.
import { fileURLToPath } from 'node:url';
import { buildBroker } from '../apps/broker/scripts/build.mjs';
import { buildCli } from '../apps/cli/scripts/build.mjs';
import { buildConsole } from '../apps/console/scripts/build.mjs';

export async function buildAll({ quiet = false } = {}) {
  await buildBroker({ quiet });
  await buildConsole({ quiet });
  await buildCli({ quiet });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAll({ quiet: process.argv.includes('--quiet') });
