import { createLogger } from '@omise-sync/core';
import { CLI_USAGE, isHelpRequested, loadEmulatorConfig } from './emulator-config';
import { type Emulator, startEmulator } from './emulator';
import { type ScenarioRun } from './scenario-runs';

export interface EmulatorCliRun {
  emulator: Emulator;
  /** The `--scenario` run, if one was asked for (resolves when it has finished). */
  scenario: Promise<ScenarioRun> | undefined;
}

/**
 * What `omise-emulator` does, for any entry point (this package's `cli.ts`, or the omise-sync
 * CLI's `emulator` command): parse env and flags, start the emulator, start the scenario.
 * Returns undefined after printing the usage for `--help`.
 * @throws ConfigError listing every configuration problem.
 */
export async function runEmulatorCli(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  print: (line: string) => void,
): Promise<EmulatorCliRun | undefined> {
  if (isHelpRequested(argv)) {
    print(CLI_USAGE);
    return undefined;
  }
  const config = loadEmulatorConfig(env, argv);
  const logger = createLogger({ name: 'omise-emulator', level: config.env.EMULATOR_LOG_LEVEL });
  const faults = config.env.EMULATOR_FAULTS;
  const emulator = await startEmulator({
    port: config.port,
    host: config.host,
    secretKey: config.env.EMULATOR_SECRET_KEY,
    publicKey: config.env.EMULATOR_PUBLIC_KEY,
    webhooks: config.webhookUrls.map((url) => ({
      url,
      secrets: config.env.EMULATOR_WEBHOOK_SECRETS,
    })),
    ...(faults === undefined
      ? {}
      : {
          faults: Object.fromEntries(
            Object.entries(faults).filter(([, value]) => value !== undefined),
          ),
        }),
    ...(config.snapshotFile === undefined ? {} : { snapshotFile: config.snapshotFile }),
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    adminApi: config.adminApi,
    accounts: config.env.EMULATOR_ACCOUNTS ?? [],
    logger,
  });
  // The key is not printed: it may be a real-looking secret someone configured.
  print(`omise emulator listening on ${emulator.url}`);
  const scenario =
    config.scenario === undefined
      ? undefined
      : emulator.startScenario(config.scenario).then((run) => {
          print(`scenario ${run.name} ${run.status}: ${JSON.stringify(run.summary ?? run.error)}`);
          return run;
        });
  return { emulator, scenario };
}
