import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Tests start brokers the way the control plane does, and run `fjord` the way a user does, from the
 * built bundles: build them from the sources as they are now.
 */
export function setup(): void {
  execFileSync(process.execPath, [path.join(root, 'apps/broker/scripts/build.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'apps/cli/scripts/build.mjs')], { stdio: 'inherit' });
}
