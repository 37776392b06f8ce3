import { commands } from './commands';
import { runCliInProcess } from '../test/run-cli-in-process';

/** Ways to call each command wrongly: an unknown option, then a missing argument or value. */
const WRONG_CALLS: Record<string, string[][]> = {
  // Commands that take neither arguments nor option values: a stray argument instead.
  receiver: [['--bogus'], ['extra']],
  worker: [['--bogus'], ['extra']],
  migrate: [['--bogus'], ['extra']],
  status: [['--bogus'], ['extra'], ['--json=yes']],
  emulator: [['--bogus'], ['--port']],
  dev: [['--bogus'], ['--charges']],
  backfill: [['--bogus'], ['--since'], ['--resources']],
  reconcile: [['--bogus'], ['--since'], ['extra']],
  replay: [['--bogus'], [], ['--event'], ['--failed', '--since']],
  disputes: [
    ['--bogus'],
    [],
    ['frobnicate'],
    ['list', '--limit'],
    ['list', '--text', 'x'],
    ['show'],
    ['documents'],
    ['message', 'dspt_test_1'],
    ['upload', 'dspt_test_1', '--kind', 'proof_of_receipt'],
    ['upload', 'dspt_test_1', '--kind'],
    ['delete-document', 'dspt_test_1'],
    ['accept'],
  ],
  sync: [['--bogus'], [], ['frobnicate'], ['ledger', 'extra'], ['ledger', '--account']],
};

/** No configuration at all: a usage error must be found before any is read. */
function cli(argv: string[]) {
  return runCliInProcess(argv, {});
}

const STACK_FRAME = /\n\s+at .+:\d+:\d+\)?$/m;

describe('omise-sync usage errors', () => {
  it('covers every command', () => {
    expect(Object.keys(WRONG_CALLS).sort()).toEqual(Object.keys(commands).sort());
  });

  it.each(Object.entries(WRONG_CALLS))(
    'when %s gets an unknown option or misses an argument, it prints its usage on stderr and exits 2, no stack trace',
    async (name, calls) => {
      for (const args of calls) {
        const argv = [name, ...args];
        const run = await cli(argv);
        expect({ argv, code: run.code, stdout: run.stdout }).toEqual({ argv, code: 2, stdout: '' });
        expect({ argv, stderr: run.stderr }).toEqual({
          argv,
          stderr: expect.stringMatching(/Usage: /) as unknown,
        });
        expect(run.stderr).not.toMatch(STACK_FRAME);
        if (args[0] === '--bogus') expect(run.stderr).toMatch(/^Unknown option '--bogus'/);
      }
    },
  );

  it('when no command or an unknown one is given, it prints the usage on stderr and exits 2', async () => {
    for (const argv of [[], ['frobnicate'], ['--bogus']]) {
      const run = await cli(argv);
      expect({ argv, code: run.code, stdout: run.stdout }).toEqual({ argv, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/Usage: omise-sync <command>/);
    }
    const help = await cli(['help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: omise-sync <command>/);
  });
});
