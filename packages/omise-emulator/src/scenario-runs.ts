import { type Logger } from '@omise-sync/core';
import { type ScenarioRequest } from './admin-params';
import { type EmulatorAccount } from './emulator';
import { runScenario, seedCharges, type ScenarioSummary } from './scenario';

/** A type alias rather than an interface, so that a run is also a plain `Json` object. */
export type ScenarioRun = {
  id: number;
  name: ScenarioRequest['name'];
  status: 'running' | 'finished' | 'failed';
  startedAt: string;
  summary: ScenarioSummary | null;
  error: string | null;
};

/** The scenarios one emulator has run or is running, as `/_emulator/scenarios` lists them. */
export class ScenarioRuns {
  private readonly runs: ScenarioRun[] = [];

  constructor(
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Runs a scenario; resolves with the run once it finished or failed (it never rejects). */
  async start(emulator: EmulatorAccount, request: ScenarioRequest): Promise<ScenarioRun> {
    const run: ScenarioRun = {
      id: this.runs.length + 1,
      name: request.name,
      status: 'running',
      startedAt: new Date(this.now()).toISOString(),
      summary: null,
      error: null,
    };
    this.runs.push(run);
    const log = this.logger.child({ scenario: request.name, run: run.id });
    log.info({ request }, 'scenario started');
    try {
      const scenarioOptions = {
        charges: request.charges,
        refundShare: request.refundShare,
        disputeShare: request.disputeShare,
        ...(request.seed === undefined ? {} : { seed: request.seed }),
      };
      run.summary =
        request.name === 'bulk'
          ? await seedCharges(emulator, { ...scenarioOptions, webhooks: request.webhooks })
          : await runScenario(emulator, {
              ...scenarioOptions,
              ratePerSecond: request.ratePerSecond,
              payoutEvery: request.payoutEvery,
            });
      run.status = 'finished';
      log.info({ summary: run.summary }, 'scenario finished');
    } catch (err) {
      run.status = 'failed';
      run.error = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'scenario failed');
    }
    return { ...run };
  }

  /** Copies, so callers cannot change a run in progress. */
  list(): ScenarioRun[] {
    return this.runs.map((r) => ({ ...r }));
  }
}
