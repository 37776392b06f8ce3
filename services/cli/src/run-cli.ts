import { ConfigError } from '@omise-sync/core';
import { UsageError } from './cli-env';
import { USAGE, commands } from './commands';

/**
 * `omise-sync <command> [options]`: runs a command and maps how it ended to the exit status:
 * 0 done, 2 a usage or configuration error (its message, never a stack), 1 any other failure.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === 'help') {
    console.log(USAGE);
    return 0;
  }
  // A call without a command is a usage error: the usage goes to stderr, stdout stays empty.
  if (name === undefined) {
    console.error(USAGE);
    return 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    console.error(`unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(args, env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    return 1;
  }
}
