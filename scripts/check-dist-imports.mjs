// Fails when source code loads a package's build output (`bullmq/dist/...`, `@scope/pkg/dist`)
// instead of what the package exports: such paths are internals that any release may move.
// Checks every tracked .ts/.js file for module specifiers in import/export ... from, import(),
// require(), require.resolve() and a createRequire(...)(...) call.
//   node scripts/check-dist-imports.mjs [files...]   (default: git ls-files)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
// The string a module-loading construct is given, e.g. from 'x', import('x'), require('x'), )('x').
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*|\)\s*\(\s*|^\s*import\s*)(['"`])([^'"`\n]+)\1/gm;
// A bare specifier (a package, not a relative or absolute path) with a `dist` segment after the
// package name.
const DIST_OF_PACKAGE = /^(?:@[^/]+\/)?[^./][^/]*\/(?:[^/]+\/)*dist(?:\/|$)/;
// dist/ paths a package documents as its own entry points (it has no `exports` map to name them).
const DOCUMENTED = new Set([
  // Ajv's JSON Schema draft 2019-09 class (ajv.js.org, "JSON Schema draft-2019-09").
  'ajv/dist/2019',
]);

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
        .split('\0')
        .filter((file) => SOURCE.test(file));

const findings = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[2];
    if (!DIST_OF_PACKAGE.test(specifier) || DOCUMENTED.has(specifier)) continue;
    const line = text.slice(0, match.index).split('\n').length;
    findings.push(`${file}:${line}: '${specifier}' loads a package's dist/ internals`);
  }
}

if (findings.length > 0) {
  console.error(findings.join('\n'));
  console.error('Import what the package exports (its documented entry points) instead.');
  process.exit(1);
}
console.log(`no dist/ imports of a package in ${files.length} files`);
