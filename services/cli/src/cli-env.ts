import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The command was called wrongly (an unknown option, a missing argument, a value it cannot
 * take, a missing environment variable); the CLI prints the message and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new UsageError(`${name} is not set`);
  return value;
}

/** True for the errors `parseArgs` throws (unknown option, missing value, stray argument). */
export function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * `parseArgs` (strict, its default) whose complaints (an unknown option, an option without its value, an
 * argument where none is taken) become a UsageError carrying the command's usage.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (isParseArgsError(error)) {
      throw new UsageError(`${error.message}\n\n${usage}`);
    }
    throw error;
  }
}
