import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Omise responses recorded by Omise's own client libraries, in shared/omise/fixtures beside the
 * repository root (CI clones the repository with shared/ next to it).
 */
export const FIXTURES_ROOT = path.join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'omise',
  'fixtures',
);

export function fixturePath(relative: string): string {
  return path.join(FIXTURES_ROOT, relative);
}

function parseJson(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

export function readFixture(relative: string): unknown {
  return parseJson(readFileSync(fixturePath(relative), 'utf8'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every JSON file under the fixtures, as paths relative to FIXTURES_ROOT with `/`. */
export function fixtureFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return walk(full);
      return name.endsWith('.json') ? [full] : [];
    });
  return walk(FIXTURES_ROOT).map((file) =>
    path.relative(FIXTURES_ROOT, file).split(path.sep).join('/'),
  );
}

/**
 * The response bodies in one fixture file: omise-elixir files are whole HTTP recordings (exvcr)
 * holding several, of which non-JSON ones (upload errors) are skipped.
 * @throws SyntaxError when the file itself is not JSON.
 */
export function fixtureBodies(relative: string): unknown[] {
  const parsed = readFixture(relative);
  if (!relative.startsWith('omise-elixir/') || !Array.isArray(parsed)) return [parsed];
  return parsed.flatMap((recording: unknown) => {
    const body =
      isRecord(recording) && isRecord(recording['response'])
        ? recording['response']['body']
        : undefined;
    if (typeof body !== 'string') return [];
    try {
      return [parseJson(body)];
    } catch {
      return [];
    }
  });
}

/**
 * Every recorded response body, with where it came from (`file#index`). Files that are not JSON
 * are skipped: omise-swift keeps one deliberately truncated file to test its own decoder.
 */
export function recordedBodies(): { where: string; body: unknown }[] {
  return fixtureFiles().flatMap((file) => {
    let bodies: unknown[];
    try {
      bodies = fixtureBodies(file);
    } catch {
      return [];
    }
    return bodies.map((body, index) => ({ where: `${file}#${index}`, body }));
  });
}

/** Every (non-deleted) object of the given `object` kind anywhere in the recorded bodies. */
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
  for (const { where, body } of recordedBodies()) visit(body, where);
  return found;
}
