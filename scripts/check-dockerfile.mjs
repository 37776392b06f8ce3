// Static checks of the root Dockerfile and .dockerignore, for machines without a Docker engine
// (CI here has none, so the image can never be built in CI). Plain Node, no dependencies.
//
//   node scripts/check-dockerfile.mjs [--root DIR]
//
// It checks what can be known without building:
// - every COPY/ADD source from the build context exists and survives .dockerignore;
// - every file the build reads (lockfile, root configs, each workspace's package.json,
//   tsconfig.build.json and src/) survives .dockerignore, and secrets / local installs do not;
// - the stage that runs `npm ci` receives every workspace's package.json first (listing each
//   entry of package.json "workspaces"), so npm ci cannot fail or install a partial tree;
// - `COPY --from` names an earlier stage; base images are pinned to a tag other than latest;
// - the final stage: non-root numeric USER, NODE_ENV=production, the cli ENTRYPOINT in exec
//   form, no HEALTHCHECK, no package install of its own, and nothing copied from a stage that
//   installed devDependencies except that stage's collected build output.
// Exit code 1 with one line per problem; 0 with a summary line otherwise.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPECTED_ENTRYPOINT = ['node', 'services/cli/dist/main.js'];

/** Splits a Dockerfile into instructions, joining `\` continuations and dropping comments. */
export function parseDockerfile(text) {
  const instructions = [];
  const directives = {};
  let pending = '';
  let pendingLine = 0;
  let inPreamble = true;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (inPreamble) {
      const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(trimmed);
      if (directive) {
        directives[directive[1].toLowerCase()] = directive[2];
        return;
      }
      if (trimmed !== '' && !trimmed.startsWith('#')) inPreamble = false;
    }
    // Comment lines are removed even inside a continued instruction, as Docker does.
    if (trimmed.startsWith('#')) return;
    if (pending === '' && trimmed === '') return;
    if (pending === '') pendingLine = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += trimmed.slice(0, -1) + ' ';
      return;
    }
    pending += trimmed;
    if (pending.trim() !== '') {
      const match = /^(\S+)\s*(.*)$/.exec(pending.trim());
      instructions.push({ keyword: match[1].toUpperCase(), args: match[2], line: pendingLine });
    }
    pending = '';
  });
  if (pending.trim() !== '') {
    const match = /^(\S+)\s*(.*)$/.exec(pending.trim());
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2], line: pendingLine });
  }
  return { directives, instructions };
}

/** `--from=x --chown=y a b c` -> { flags: { from: 'x', chown: 'y' }, rest: ['a', 'b', 'c'] } */
function splitFlags(args) {
  const words = args.startsWith('[') ? JSON.parse(args) : args.split(/\s+/).filter(Boolean);
  const flags = {};
  const rest = [];
  for (const word of words) {
    const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
    if (flag && rest.length === 0) flags[flag[1]] = flag[2] ?? true;
    else rest.push(word);
  }
  return { flags, rest };
}

function substitute(value, args) {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) => {
    const name = a ?? b;
    return args[name] ?? '';
  });
}

/** Groups instructions into stages, resolving global ARG defaults in FROM lines. */
export function toStages(instructions) {
  const globalArgs = {};
  const stages = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const { rest } = splitFlags(instruction.args);
      const image = substitute(rest[0] ?? '', globalArgs);
      const name = rest[1]?.toUpperCase() === 'AS' ? rest[2] : undefined;
      stages.push({ image, name, line: instruction.line, instructions: [] });
    } else if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [key, value = ''] = instruction.args.split('=');
      globalArgs[key.trim()] = value.trim().replace(/^["']|["']$/g, '');
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push(instruction);
    }
  }
  return stages;
}

/**
 * .dockerignore semantics (moby patternmatcher): patterns are matched against the path and each
 * of its parent folders; the last matching pattern wins; `!` re-includes; `**` spans folders.
 */
export function createIgnoreMatcher(text) {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const body = (negate ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, '');
      return { negate, regex: globToRegex(body) };
    });
  return function isIgnored(path) {
    const clean = path
      .split(sep)
      .join('/')
      .replace(/^\.\/?/, '');
    if (clean === '') return false;
    const parts = clean.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const { negate, regex } of patterns) {
      if (candidates.some((candidate) => regex.test(candidate))) ignored = !negate;
    }
    return ignored;
  };
}

/** Go filepath.Match plus `**`, anchored: `*` and `?` stay within one path segment. */
export function globToRegex(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end === -1) out += '\\[';
      else {
        out += '[' + glob.slice(i + 1, end).replace(/^\^|^!/, '^') + ']';
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Expands a context-relative glob (segments may contain `*`) against the file system. */
export function expandGlob(root, pattern) {
  const segments = pattern
    .replace(/^\.\//, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  let paths = [''];
  for (const segment of segments) {
    const next = [];
    for (const base of paths) {
      const dir = join(root, base);
      if (!/[*?[]/.test(segment)) {
        if (existsSync(join(dir, segment))) next.push(base === '' ? segment : `${base}/${segment}`);
        continue;
      }
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const regex = globToRegex(segment);
      for (const entry of readdirSync(dir)) {
        if (regex.test(entry)) next.push(base === '' ? entry : `${base}/${entry}`);
      }
    }
    paths = next;
  }
  return segments.length === 0 ? ['.'] : paths;
}

function isFullInstall(runArgs) {
  return /\bnpm\s+(ci|install|i)\b/.test(runArgs) && !/--omit[= ]dev\b/.test(runArgs);
}

function workdirOf(stage, stagesByName) {
  let workdir = '/';
  const parent = stagesByName.get(stage.image);
  if (parent) workdir = workdirOf(parent, stagesByName);
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') {
      const dir = instruction.args.trim();
      workdir = dir.startsWith('/') ? dir : join(workdir, dir);
    }
  }
  return workdir.replace(/\/+$/, '') || '/';
}

function stageInstalledDevDependencies(stage, stagesByName) {
  const parent = stagesByName.get(stage.image);
  if (parent && stageInstalledDevDependencies(parent, stagesByName)) return true;
  return stage.instructions.some((i) => i.keyword === 'RUN' && isFullInstall(i.args));
}

/** Runs every check; returns { problems: string[], checks: number }. */
export function checkDockerfile(root) {
  const problems = [];
  let checks = 0;
  const check = (ok, message) => {
    checks++;
    if (!ok) problems.push(message);
  };

  const dockerfilePath = join(root, 'Dockerfile');
  if (!existsSync(dockerfilePath)) return { problems: ['Dockerfile not found'], checks: 1 };
  const { directives, instructions } = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
  const ignoreText = existsSync(join(root, '.dockerignore'))
    ? readFileSync(join(root, '.dockerignore'), 'utf8')
    : '';
  check(ignoreText !== '', '.dockerignore is missing or empty');
  const isIgnored = createIgnoreMatcher(ignoreText);
  const stages = toStages(instructions);
  const stagesByName = new Map(stages.filter((s) => s.name).map((s) => [s.name, s]));

  const usesMounts = instructions.some((i) => i.keyword === 'RUN' && /--mount=/.test(i.args));
  check(
    !usesMounts || directives.syntax !== undefined,
    'RUN --mount needs BuildKit: add a `# syntax=docker/dockerfile:1` directive on the first line',
  );
  check(stages.length >= 2, 'expected a multi-stage build (a build stage and a runtime stage)');

  // Base images.
  for (const stage of stages) {
    if (stagesByName.has(stage.image)) continue;
    const tag = /^[^@]+:([^:/@]+)(@sha256:[a-f0-9]{64})?$/.exec(stage.image)?.[1];
    check(
      (tag !== undefined && tag !== 'latest') || /@sha256:[a-f0-9]{64}$/.test(stage.image),
      `line ${stage.line}: base image "${stage.image}" must be pinned to a tag other than latest`,
    );
  }

  // COPY / ADD sources.
  const definedSoFar = new Set();
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
      const { flags, rest } = splitFlags(instruction.args);
      const sources = rest.slice(0, -1);
      check(
        sources.length > 0,
        `line ${instruction.line}: ${instruction.keyword} without a source`,
      );
      check(
        flags.parents === undefined,
        `line ${instruction.line}: COPY --parents is labs-only and silently skips missing files`,
      );
      if (typeof flags.from === 'string') {
        check(
          definedSoFar.has(flags.from) || /[:/]/.test(flags.from),
          `line ${instruction.line}: --from=${flags.from} names no earlier stage`,
        );
        continue;
      }
      for (const source of sources) {
        if (/^https?:\/\//.test(source)) continue;
        const matches = expandGlob(root, source);
        check(
          matches.length > 0,
          `line ${instruction.line}: ${source} does not exist in the repository`,
        );
        const kept = matches.filter((m) => m === '.' || !isIgnored(m));
        check(
          matches.length === 0 || kept.length > 0,
          `line ${instruction.line}: ${source} is excluded by .dockerignore, so the build cannot see it`,
        );
      }
    }
    if (stage.name) definedSoFar.add(stage.name);
  }

  // What the build reads must be in the context; what must never ship must not be.
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workspaceGlobs = rootPackage.workspaces ?? [];
  const workspaceDirs = workspaceGlobs
    .flatMap((glob) => expandGlob(root, glob))
    .filter((dir) => existsSync(join(root, dir, 'package.json')));
  const needed = ['package.json', 'package-lock.json', 'turbo.json', 'tsconfig.base.json'];
  for (const dir of workspaceDirs) {
    needed.push(`${dir}/package.json`);
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    if (manifest.scripts?.build) {
      needed.push(`${dir}/tsconfig.build.json`);
      if (existsSync(join(root, dir, 'src/index.ts'))) needed.push(`${dir}/src/index.ts`);
    }
  }
  for (const file of needed) {
    if (!existsSync(join(root, file))) continue;
    check(!isIgnored(file), `.dockerignore excludes ${file}, which the build needs`);
  }
  for (const excluded of [
    '.git',
    'node_modules',
    '.env',
    '.env.local',
    'packages/core/node_modules',
    'packages/core/dist',
  ]) {
    check(isIgnored(excluded), `.dockerignore must exclude ${excluded}`);
  }

  // Every workspace manifest reaches the install stage before `npm ci`.
  const installStages = stages.filter((s) =>
    s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args)),
  );
  check(installStages.length > 0, 'no stage runs `npm ci` (the lockfile must be honoured)');
  for (const stage of installStages) {
    const label = stage.name ?? `line ${stage.line}`;
    const ciIndex = stage.instructions.findIndex(
      (i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args),
    );
    const before = stage.instructions.slice(0, ciIndex);
    // Text that brings manifests in: direct COPY sources, or the RUN lines of the stage a
    // `COPY --from` takes them from.
    const provided = [];
    for (const instruction of before) {
      if (instruction.keyword !== 'COPY') continue;
      const { flags, rest } = splitFlags(instruction.args);
      if (typeof flags.from === 'string' && stagesByName.has(flags.from)) {
        const source = stagesByName.get(flags.from);
        for (const i of source.instructions) if (i.keyword === 'RUN') provided.push(i.args);
      } else provided.push(rest.slice(0, -1).join(' '));
    }
    const text = provided.join('\n');
    check(
      /package-lock\.json/.test(text),
      `stage ${label}: package-lock.json is not copied before npm ci`,
    );
    for (const glob of workspaceGlobs) {
      check(
        text.includes(`${glob}/package.json`),
        `stage ${label}: workspace "${glob}" has no "${glob}/package.json" copied before npm ci`,
      );
    }
  }

  // The final stage.
  const final = stages.at(-1);
  if (final) {
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    const user = users.at(-1)?.args.trim() ?? '';
    const uid = user.split(':')[0];
    check(users.length > 0, 'final stage has no USER: it would run as root');
    check(
      /^\d+$/.test(uid) && Number(uid) !== 0,
      `final stage USER "${user}" must be a numeric non-root uid (Kubernetes runAsNonRoot checks it)`,
    );
    const lastUserIndex = final.instructions.lastIndexOf(users.at(-1));
    check(
      !final.instructions.slice(lastUserIndex + 1).some((i) => /^USER$/.test(i.keyword)),
      'USER is changed again after the non-root user',
    );
    const env = final.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    check(/\bNODE_ENV=production\b/.test(env), 'final stage must set NODE_ENV=production');
    const entrypoint = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    let entry;
    try {
      entry = entrypoint ? JSON.parse(entrypoint.args) : undefined;
    } catch {
      entry = undefined;
    }
    check(
      JSON.stringify(entry) === JSON.stringify(EXPECTED_ENTRYPOINT),
      `final stage ENTRYPOINT must be the exec form ${JSON.stringify(EXPECTED_ENTRYPOINT)}`,
    );
    check(
      !final.instructions.some((i) => i.keyword === 'HEALTHCHECK'),
      'final stage must not declare a HEALTHCHECK (Kubernetes probes and compose checks do that)',
    );
    check(
      !final.instructions.some(
        (i) => i.keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.args),
      ),
      'final stage must not install packages itself',
    );
    check(
      !stagesByName.has(final.image) ||
        !stageInstalledDevDependencies(stagesByName.get(final.image), stagesByName),
      'final stage is based on a stage that installed devDependencies',
    );
    for (const instruction of final.instructions) {
      if (instruction.keyword !== 'COPY') continue;
      const { flags, rest } = splitFlags(instruction.args);
      const from = typeof flags.from === 'string' ? stagesByName.get(flags.from) : undefined;
      if (!from || !stageInstalledDevDependencies(from, stagesByName)) continue;
      const workdir = workdirOf(from, stagesByName);
      for (const source of rest.slice(0, -1)) {
        const absolute = source.startsWith('/') ? source : join(workdir, source);
        const normal = absolute.replace(/\/+$/, '') || '/';
        const insideApp =
          normal === workdir ||
          normal === '/' ||
          normal.startsWith(`${workdir}/`) ||
          workdir.startsWith(`${normal}/`);
        check(
          !/node_modules/.test(source) && !insideApp,
          `line ${instruction.line}: copies ${source} from stage ${flags.from}, which installed devDependencies; copy only collected build output`,
        );
      }
    }
  }

  return { problems, checks };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const rootFlag = process.argv.indexOf('--root');
  const root =
    rootFlag !== -1 && process.argv[rootFlag + 1]
      ? process.argv[rootFlag + 1]
      : join(dirname(fileURLToPath(import.meta.url)), '..');
  const { problems, checks } = checkDockerfile(root);
  const where = relative(process.cwd(), join(root, 'Dockerfile')) || 'Dockerfile';
  if (problems.length > 0) {
    for (const problem of problems) console.error(`${where}: ${problem}`);
    console.error(`check-dockerfile: ${problems.length} problem(s) in ${checks} checks`);
    process.exit(1);
  }
  console.log(`check-dockerfile: ${where} and .dockerignore pass ${checks} checks`);
}
