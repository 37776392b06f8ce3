import { z } from 'zod';

/** Configuration that failed validation; `problems` lists every one, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses environment variables with a zod schema whose keys are the variable names.
 * Empty strings count as unset, so `FOO=` falls back to the default.
 * @throws ConfigError listing every problem at once.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `${name}: ${issue.message}`;
    }),
  );
}

/** Reusable field schemas, so every service reads common variables the same way. */
export const envFields = {
  /** A TCP port, 0 meaning "any free port". */
  port: (defaultPort: number) => z.coerce.number().int().min(0).max(65_535).default(defaultPort),
  /** A URL with one of the given protocols. */
  url: (protocols: readonly string[]) =>
    z
      .url({ error: `must be a URL (${protocols.join(', ')})` })
      .refine((value) => protocols.includes(new URL(value).protocol), {
        error: `protocol must be one of ${protocols.join(', ')}`,
      }),
  /** A positive integer with a default. */
  positiveInt: (defaultValue: number) => z.coerce.number().int().positive().default(defaultValue),
  /** A non-negative integer with a default. */
  nonNegativeInt: (defaultValue: number) => z.coerce.number().int().min(0).default(defaultValue),
  /** "true"/"false"/"1"/"0". */
  boolean: (defaultValue: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1')
      .default(defaultValue),
  /** A JSON document validated by `schema`; its problems are reported under the variable's name. */
  json: <S extends z.ZodType>(schema: S) =>
    z
      .string()
      .transform((text, ctx): unknown => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
      })
      .pipe(schema),
  /**
   * `EVENTS_RETENTION_DAYS`: days of event history kept, 0 for all of it. A shorter period than
   * a month would drop history that reconcile still looks back at.
   */
  eventsRetentionDays: () =>
    z.coerce
      .number()
      .int()
      .refine((days) => days === 0 || (days >= 31 && days <= 36_500), {
        error: 'must be 0 (keep everything) or between 31 and 36500 days',
      })
      .default(400),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * Runs two configuration loaders and reports the problems of both in one ConfigError, so a
 * process that reads its variables and its accounts lists every problem at once.
 */
export function loadBoth<A, B>(first: () => A, second: () => B): [A, B] {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const a = attempt(first);
  const b = attempt(second);
  if (problems.length > 0) throw new ConfigError(problems);
  return [a as A, b as B];
}
