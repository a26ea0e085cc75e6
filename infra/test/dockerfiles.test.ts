import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No Docker engine here, so the images are not built in tests; these checks catch the drift that
// would break a build or weaken the runtime image: missing sources, root user, dev dependencies.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

interface Stage {
  name: string;
  lines: string[];
}

function stagesOf(dockerfile: string): Stage[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) stages.push({ name: from[1], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

describe.each([
  { file: 'infra/docker/control-plane.Dockerfile', workspace: '@fjord/control-plane', main: 'apps/control-plane/src/main.ts', runner: /node.*--import.*tsx/ },
  // The broker runs the bundle the image builds, as local brokers do: no TypeScript loader on its start path.
  { file: 'infra/docker/broker.Dockerfile', workspace: '@fjord/broker', main: 'apps/broker/dist/main.js', runner: /^exec node apps\/broker\/dist\/main\.js/m },
])('$file', ({ file, workspace, main, runner }) => {
  const stages = stagesOf(read(file));
  const runtime = stages.at(-1)!;

  it('installs only production dependencies of its workspace', () => {
    const install = stages.find((s) => s.name === 'deps')!.lines.find((l) => l.includes('npm ci'));
    expect(install).toContain('--omit=dev');
    expect(install).toContain(`--workspace ${workspace}`);
    expect(stages.flatMap((s) => s.lines).filter((l) => /npm (install|i) /.test(l))).toEqual([]);
  });

  it('copies only sources that exist in the repository', () => {
    const sources = stages
      .flatMap((s) => s.lines)
      .filter((l) => /^(COPY|ADD)\s/.test(l) && !l.includes('--from=') && !/https?:\/\//.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1).filter((w) => !w.startsWith('--')).slice(0, -1))
      .filter((src) => src !== '.');
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((src) => !existsSync(path.join(repoRoot, src)))).toEqual([]);
  });

  it('runs its entry point as the non-root node user', () => {
    const user = runtime.lines.findLastIndex((l) => l.startsWith('USER '));
    const start = runtime.lines.findLastIndex((l) => /^(CMD|ENTRYPOINT)\s/.test(l));
    expect(runtime.lines[user]).toBe('USER node');
    expect(user).toBeLessThan(start);
    const entry = runtime.lines[start].includes('fjord-broker') ? read('infra/docker/broker-entrypoint.sh') : runtime.lines[start];
    expect(entry).toContain(main);
    expect(entry).toMatch(runner);
    if (file.includes('broker')) {
      expect(entry).not.toMatch(/^exec .*(tsx|--import|--loader)/m);
      expect(runtime.lines).toContain('COPY --from=build /src/apps/broker/dist ./apps/broker/dist');
    }
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules and local state out of the build context but keeps every workspace manifest', () => {
    const rules = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rules).toEqual(expect.arrayContaining(['**/node_modules', '.git', '.fjord', 'infra/cdk.out']));
    const workspaces = JSON.parse(read('package.json')).workspaces as string[];
    for (const excluded of rules.filter((r) => workspaces.includes(r))) {
      expect(rules, `${excluded}/package.json must stay in the context`).toContain(`!${excluded}/package.json`);
    }
  });
});
