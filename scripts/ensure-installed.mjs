// Runs before `npm run dev` and `npm test`: installs dependencies when they are missing or
// older than package-lock.json, so the README's two commands work on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

const stale =
  !existsSync(installed) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
if (stale) {
  const npm = (command) => {
    console.log(`installing dependencies (npm ${command})…`);
    return spawnSync('npm', [command, '--no-audit', '--no-fund', '--json=false'], {
      cwd: root,
      stdio: 'inherit',
    }).status;
  };
  let status = existsSync(lock) ? npm('ci') : npm('install');
  if (status !== 0 && existsSync(lock)) {
    // A registry that does not serve other platforms' optional packages (@swc/core-darwin-*,
    // @turbo/windows-* …) makes npm write a lockfile without them, which its own `npm ci` then
    // rejects as out of sync. `npm install` honours the same lockfile for every package it lists.
    console.log('npm ci refused the lockfile (see above); installing from it with npm install');
    status = npm('install');
  }
  if (status !== 0) process.exit(status ?? 1);
}
