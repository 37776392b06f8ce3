// `npm test`: runs every package's jest suite through turbo on real Postgres and Redis, then
// prints one line counted from jest's own JSON results: `tests: N passed, M failed`.
//
// Services: DATABASE_URL / REDIS_URL when set; else Postgres and Redis on localhost when they
// answer; else the harness starts them with testcontainers, or says how to provide them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useLocalServicesIfUnset } from './local-services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = '.jest-results.json';

// Every workspace (root package.json "workspaces", e.g. packages/*, services/*, infra) with jest.
function workspaceDirs() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((pattern) => {
    const candidates = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2))).map((name) =>
          join(root, pattern.slice(0, -2), name),
        )
      : [join(root, pattern)];
    return candidates.filter(
      (d) => existsSync(join(d, 'package.json')) && existsSync(join(d, 'jest.config.js')),
    );
  });
}

const env = { ...process.env };
const found = await useLocalServicesIfUnset(env);
if (found.length > 0) console.log(`using ${found.join(' and ')} on localhost`);

const dirs = workspaceDirs();
for (const dir of dirs) rmSync(join(dir, RESULTS), { force: true });

const extra = process.argv.slice(2);
const run = spawnSync(
  'npx',
  [
    'turbo',
    'run',
    'test',
    '--concurrency=1',
    '--continue',
    '--',
    '--json',
    `--outputFile=${RESULTS}`,
    ...extra,
  ],
  { cwd: root, stdio: 'inherit', env },
);

let passed = 0;
let failed = 0;
const missing = [];
const failures = [];
for (const dir of dirs) {
  const file = join(dir, RESULTS);
  if (!existsSync(file)) {
    missing.push(dir.slice(root.length + 1));
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  // A suite that could not run (a syntax error, a failing beforeAll) has no failed tests of its
  // own, so it counts as one failure here rather than vanishing from the total.
  failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
  for (const suite of result.testResults) {
    const file = suite.name.slice(root.length + 1);
    const titles = suite.assertionResults
      .filter((a) => a.status === 'failed')
      .map((a) => a.fullName);
    if (titles.length === 0 && suite.status === 'failed') titles.push('(suite did not run)');
    for (const title of titles) failures.push(`${file}: ${title}`);
  }
}
if (missing.length > 0) {
  console.error(`no jest results from: ${missing.join(', ')}`);
  failed += missing.length;
}
// Named again at the end so that a log read from its tail says which test failed.
for (const failure of failures) console.log(`failed: ${failure}`);
const ok = run.status === 0 && failed === 0 && missing.length === 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
