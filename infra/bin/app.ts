import { App } from 'aws-cdk-lib';
import { FjordImagesStack } from '../lib/images-stack.ts';
import { FjordStack } from '../lib/fjord-stack.ts';
import { SettingsError, settingsFromContext } from '../lib/settings.ts';

const app = new App();
let settings;
try {
  settings = settingsFromContext((key) => app.node.tryGetContext(key));
} catch (err) {
  if (!(err instanceof SettingsError)) throw err;
  console.error(err.message);
  process.exit(1);
}

// No account: the stacks stay environment-agnostic, so synth needs no credentials or lookups.
const env = settings.region ? { region: settings.region } : undefined;
new FjordImagesStack(app, 'FjordImages', { env, description: 'Fjord container image repositories' });
new FjordStack(app, 'Fjord', { env, settings, description: 'Fjord: control plane, brokers, database and tiered storage' });
app.synth();
