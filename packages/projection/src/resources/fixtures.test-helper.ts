import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The recorded Omise responses (shared/omise/fixtures, beside the repository root).
const fixturesRoot = path.join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'omise',
  'fixtures',
);

export function fixturePath(relative: string): string {
  return path.join(fixturesRoot, relative);
}

export function readFixture(relative: string): unknown {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8').replace(/^\uFEFF/, ''));
}

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listJsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every (non-deleted) object of the given `object` kind anywhere in the fixtures. */
export function fixtureObjects(kind: string): { where: string; value: Record<string, unknown> }[] {
  const found: { where: string; value: Record<string, unknown> }[] = [];
  const visit = (value: unknown, where: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${where}[${i}]`));
      return;
    }
    if (!isRecord(value)) return;
    if (value['object'] === kind && value['deleted'] !== true && 'id' in value) {
      found.push({ where, value });
    }
    for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
  };
  for (const file of listJsonFiles(fixturesRoot)) {
    const relative = path.relative(fixturesRoot, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch {
      continue; // omise-swift keeps one deliberately truncated file
    }
    // omise-elixir files are HTTP recordings with the body inside.
    if (relative.startsWith('omise-elixir') && Array.isArray(parsed)) {
      parsed.forEach((recording: unknown, i) => {
        const body =
          isRecord(recording) && isRecord(recording['response'])
            ? recording['response']['body']
            : undefined;
        if (typeof body !== 'string') return;
        try {
          visit(JSON.parse(body), `${relative}#${i}`);
        } catch {
          // non-JSON bodies (errors from uploads) are not objects
        }
      });
      continue;
    }
    visit(parsed, relative);
  }
  return found;
}
