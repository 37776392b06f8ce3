import { devCommand } from './dev.command';
import { migrateCommand } from './migrate.command';

/** A CLI command: runs with its arguments and the environment, resolves to an exit code. */
export interface Command {
  summary: string;
  run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
}

export const commands: Record<string, Command> = {
  migrate: { summary: 'apply pending migrations to DATABASE_URL', run: migrateCommand },
  dev: {
    summary: 'run the whole pipeline locally against the emulator (npm run dev)',
    run: devCommand,
  },
};

export const USAGE = [
  'Usage: omise-sync <command> [options]   (npm run cli -- <command> [options])',
  '',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
  '',
  'Configuration comes from the environment; see the README for every variable.',
].join('\n');
