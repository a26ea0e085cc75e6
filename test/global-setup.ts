import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Tests start brokers the way the control plane does, from the built bundle, and drive the console the
 * control plane serves: build both from the sources as they are now (the console only when they changed).
 */
export function setup(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}
