import { readFileSync } from 'node:fs';
import { validateCompose } from './compose-validator';
import { type Problem } from './manifest';
import { validateManifests } from './validate-manifests';

// Validates rendered overlays (and optionally docker-compose.yml) offline:
//   node dist/validate.cli.js [--compose docker-compose.yml] [--require-digest NAME]... [--release]
//     NAME=rendered.yaml ...
// .ci/checks renders each overlay with `kubectl kustomize` and passes the files here, with
// `--require-digest prod`; the release process adds `--release` once it has set the digest.
// Exit 1 when anything is wrong, with one line per problem; 2 on bad usage.

const USAGE =
  'usage: validate.cli.js [--compose FILE] [--require-digest NAME]... [--release] NAME=RENDERED.yaml [NAME=RENDERED.yaml ...]';

function printProblems(label: string, problems: Problem[]): void {
  for (const problem of problems) console.error(`${label}: ${problem.object}: ${problem.message}`);
}

function main(argv: string[]): number {
  const inputs: { name: string; file: string }[] = [];
  let compose: string | undefined;
  const pinned = new Set<string>();
  let release = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--release') {
      release = true;
      continue;
    }
    if (arg === '--require-digest') {
      const name = argv[++i];
      if (name === undefined) {
        console.error(USAGE);
        return 2;
      }
      pinned.add(name);
      continue;
    }
    if (arg === '--compose') {
      compose = argv[++i];
      if (compose === undefined) {
        console.error(USAGE);
        return 2;
      }
      continue;
    }
    const split = arg.indexOf('=');
    if (split <= 0 || split === arg.length - 1) {
      console.error(USAGE);
      return 2;
    }
    inputs.push({ name: arg.slice(0, split), file: arg.slice(split + 1) });
  }
  if (inputs.length === 0 && compose === undefined) {
    console.error(USAGE);
    return 2;
  }

  let failed = 0;
  for (const { name, file } of inputs) {
    const report = validateManifests(readFileSync(file, 'utf8'), {
      requireDigests: pinned.has(name),
      release,
    });
    const kinds = Object.entries(report.kinds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    printProblems(name, report.problems);
    const status = report.problems.length === 0 ? 'ok' : `${report.problems.length} problem(s)`;
    console.log(`${name}: ${report.objectCount} objects (${kinds}): ${status}`);
    for (const [secret, keys] of Object.entries(report.secretKeys)) {
      console.log(`${name}: reads Secret ${secret} keys ${keys.join(', ')}`);
    }
    if (report.problems.length > 0) failed++;
  }
  if (compose !== undefined) {
    const problems = validateCompose(readFileSync(compose, 'utf8'));
    printProblems(compose, problems);
    console.log(`${compose}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
    if (problems.length > 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
