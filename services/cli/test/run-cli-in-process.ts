import { jest } from '@jest/globals';
import { runCli } from '../src/run-cli';

/** What one CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, as main.ts does, capturing what it prints. */
export async function runCliInProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout.push(parts.join(' '));
  });
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    stderr.push(parts.join(' '));
  });
  try {
    const code = await runCli(argv, env);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
