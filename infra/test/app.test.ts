import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The CDK app as `cdk synth` runs it (cdk.json: `npx tsx bin/app.ts`); the CLI hands it the output
// directory and the -c context through these environment variables.
const infraDir = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const outDirs: string[] = [];
const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';

async function synth(context: Record<string, string>) {
  const outdir = await mkdtemp(path.join(tmpdir(), 'fjord-cdk-'));
  outDirs.push(outdir);
  const env = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) };
  const tsx = path.join(infraDir, '..', 'node_modules', '.bin', 'tsx');
  return { outdir, result: run(tsx, ['bin/app.ts'], { cwd: infraDir, env }) };
}

afterAll(async () => {
  await Promise.all(outDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('bin/app.ts', () => {
  it('synthesizes the images stack and the Fjord stack', async () => {
    const { outdir, result } = await synth({ region: 'eu-west-1', certificateArn });
    await result;
    expect((await readdir(outdir)).filter((f) => f.endsWith('.template.json')).sort()).toEqual([
      'Fjord.template.json',
      'FjordImages.template.json',
    ]);
  });

  it('synthesizes through the aws-cdk CLI itself (`npx cdk synth`), offline', async () => {
    const outdir = await mkdtemp(path.join(tmpdir(), 'fjord-cdk-cli-'));
    outDirs.push(outdir);
    const cdk = path.join(infraDir, '..', 'node_modules', '.bin', 'cdk');
    const { stdout, stderr } = await run(cdk, ['synth', '--quiet', '--output', outdir, '-c', `certificateArn=${certificateArn}`], {
      cwd: infraDir,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    });
    // The CLI prints to stderr, or to stdout when CI=true.
    expect(stdout + stderr).toContain(`Successfully synthesized to ${outdir}`);
    expect((await readdir(outdir)).filter((f) => f.endsWith('.template.json')).sort()).toEqual([
      'Fjord.template.json',
      'FjordImages.template.json',
    ]);
  }, 120_000);

  it('refuses bad context with a message naming the key and exit code 1', async () => {
    const { result } = await synth({ certificateArn, controlPlaneTasks: '1' });
    await expect(result).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Invalid context value controlPlaneTasks=1: expected an integer from 2 to 100'),
    });
  });

  it('refuses to synthesize without a certificate unless insecureHttp is set', async () => {
    await expect((await synth({})).result).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Invalid context value certificateArn=(unset): expected an ACM certificate ARN'),
    });
    await (await synth({ insecureHttp: 'true' })).result;
  }, 60_000);
});
