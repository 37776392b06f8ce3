import { backfillCommand } from './backfill.command';
import { devCommand } from './dev.command';
import { disputesCommand } from './disputes.command';
import { migrateCommand } from './migrate.command';
import { reconcileCommand } from './reconcile.command';
import { replayCommand } from './replay.command';
import { emulatorCommand, receiverCommand, workerCommand } from './service.commands';
import { statusCommand } from './status.command';
import { syncCommand } from './sync.command';

/** A CLI command: runs with its arguments and the environment, resolves to an exit code. */
export interface Command {
  summary: string;
  run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
}

export const commands: Record<string, Command> = {
  receiver: {
    summary: 'run the webhook receiver (POST /webhooks/omise on PORT)',
    run: receiverCommand,
  },
  worker: { summary: 'run the projection worker (metrics on METRICS_PORT)', run: workerCommand },
  migrate: { summary: 'apply pending migrations to DATABASE_URL', run: migrateCommand },
  emulator: { summary: 'run the Omise emulator (see --help)', run: emulatorCommand },
  dev: {
    summary: 'run the whole pipeline locally against the emulator (npm run dev)',
    run: devCommand,
  },
  backfill: {
    summary: 'project every charge, refund and dispute from the Omise API (resumable)',
    run: backfillCommand,
  },
  reconcile: {
    summary: 'enqueue missed events, repair drift with the Omise API, report it',
    run: reconcileCommand,
  },
  replay: {
    summary: 'enqueue an event again (--event ID) or retry failed jobs (--failed)',
    run: replayCommand,
  },
  status: {
    summary: 'queue depths, failed jobs, last reconcile and its drift, lag',
    run: statusCommand,
  },
  disputes: {
    summary: 'the dispute desk: list, show, message, upload, documents, accept (see --help)',
    run: disputesCommand,
  },
  sync: {
    summary: 'sync ledger: balance snapshot, new transactions and receipts (resumable)',
    run: syncCommand,
  },
};

export const USAGE = [
  'Usage: omise-sync <command> [options]   (npm run cli -- <command> [options])',
  '',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
  '',
  'Configuration comes from the environment; see the README for every variable.',
].join('\n');
