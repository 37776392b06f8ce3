import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';

// scripts/check-dockerfile.mjs is plain Node run by .ci/checks; its tests live with the other
// packaging checks. Each test builds a tiny repository on disk and runs the script on it.
const REPO = join(__dirname, '..', '..');
const SCRIPT = join(REPO, 'scripts', 'check-dockerfile.mjs');

const GOOD_DOCKERFILE = `# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:20-bookworm-slim
FROM \${NODE_IMAGE} AS base
WORKDIR /app

FROM base AS manifests
COPY . /context
RUN mkdir -p /manifests && cd /context && cp package.json package-lock.json /manifests/ \\
    && for manifest in packages/*/package.json services/*/package.json; do \\
         mkdir -p "/manifests/$(dirname "$manifest")" && cp "$manifest" "/manifests/$manifest"; \\
       done

FROM base AS build
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npx turbo run build && mkdir /dist-out && cp -a services/cli/dist /dist-out/

FROM base AS prod-deps
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev

FROM \${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /dist-out/ ./
USER 10001:10001
ENTRYPOINT ["node", "services/cli/dist/main.js"]
`;

const GOOD_IGNORE = `*
!package.json
!package-lock.json
!turbo.json
!tsconfig.base.json
!packages
!services
**/node_modules
**/dist
**/.env
**/.env.*
`;

const roots: string[] = [];

function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'check-dockerfile-'));
  roots.push(root);
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ workspaces: ['packages/*', 'services/*'] }),
    'package-lock.json': '{}',
    'turbo.json': '{}',
    'tsconfig.base.json': '{}',
    'packages/core/package.json': JSON.stringify({ scripts: { build: 'tsc' } }),
    'packages/core/tsconfig.build.json': '{}',
    'packages/core/src/index.ts': 'export {};\n',
    'services/cli/package.json': JSON.stringify({ scripts: { build: 'tsc' } }),
    'services/cli/tsconfig.build.json': '{}',
    'services/cli/src/index.ts': 'export {};\n',
    Dockerfile: GOOD_DOCKERFILE,
    '.dockerignore': GOOD_IGNORE,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function check(root: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-dockerfile', () => {
  test("the repository's own Dockerfile and .dockerignore pass", () => {
    const result = check(REPO);

    expect(result.output).toMatch(/pass \d+ checks/);
    expect(result.status).toBe(0);
  });

  test('a well-formed multi-stage Dockerfile passes', () => {
    expect(check(repository({}))).toMatchObject({ status: 0 });
  });

  test('a final stage that runs as root (or by user name) fails', () => {
    const root = repository({
      Dockerfile: GOOD_DOCKERFILE.replace('USER 10001:10001', 'USER node'),
    });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain('final stage USER "node" must be a numeric non-root uid');
  });

  test('a workspace whose package.json is not copied before npm ci fails', () => {
    const root = repository({
      'package.json': JSON.stringify({ workspaces: ['packages/*', 'services/*', 'infra'] }),
      'infra/package.json': '{}',
    });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain(
      'stage build: workspace "infra" has no "infra/package.json" copied before npm ci',
    );
  });

  test('a final stage that copies node_modules from the full-install stage fails', () => {
    const root = repository({
      Dockerfile: GOOD_DOCKERFILE.replace(
        'COPY --from=build /dist-out/ ./',
        'COPY --from=build /app/node_modules ./node_modules',
      ),
    });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain('which installed devDependencies');
  });

  test('a COPY source that is missing, or hidden by .dockerignore, fails', () => {
    const root = repository({
      Dockerfile: GOOD_DOCKERFILE.replace('COPY . .', 'COPY src ./src\nCOPY turbo.json ./'),
      '.dockerignore': `${GOOD_IGNORE}turbo.json\n`,
    });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain('src does not exist in the repository');
    expect(result.output).toContain('turbo.json is excluded by .dockerignore');
  });

  test('a HEALTHCHECK, a latest base image or a shell-form ENTRYPOINT fails', () => {
    const root = repository({
      Dockerfile: GOOD_DOCKERFILE.replace('node:20-bookworm-slim', 'node:latest')
        .replace(
          'ENTRYPOINT ["node", "services/cli/dist/main.js"]',
          'ENTRYPOINT node services/cli/dist/main.js',
        )
        .concat('HEALTHCHECK CMD node -e "1"\n'),
    });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain('must be pinned to a tag other than latest');
    expect(result.output).toContain('ENTRYPOINT must be the exec form');
    expect(result.output).toContain('must not declare a HEALTHCHECK');
  });

  test('a .dockerignore that lets secrets or local installs in fails', () => {
    const root = repository({ '.dockerignore': '.git\n' });

    const result = check(root);

    expect(result.status).toBe(1);
    expect(result.output).toContain('.dockerignore must exclude node_modules');
    expect(result.output).toContain('.dockerignore must exclude .env');
  });
});
