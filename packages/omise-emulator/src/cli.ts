#!/usr/bin/env node
import { createLogger } from '@omise-sync/core';
import { CLI_USAGE, isHelpRequested, loadEmulatorConfig } from './emulator-config';
import { startEmulator } from './emulator';

/** `npm run emulator -- --port 4010 [--scenario traffic|demo|bulk ...]`: the composition root. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isHelpRequested(argv)) {
    console.log(CLI_USAGE);
    return;
  }
  const config = loadEmulatorConfig(process.env, argv);
  const logger = createLogger({ name: 'omise-emulator', level: config.env.EMULATOR_LOG_LEVEL });
  const emulator = await startEmulator({
    port: config.port,
    host: config.host,
    secretKey: config.env.EMULATOR_SECRET_KEY,
    publicKey: config.env.EMULATOR_PUBLIC_KEY,
    webhooks: config.webhookUrls.map((url) => ({
      url,
      secrets: config.env.EMULATOR_WEBHOOK_SECRETS,
    })),
    ...(config.env.EMULATOR_FAULTS === undefined
      ? {}
      : { faults: toFaults(config.env.EMULATOR_FAULTS) }),
    ...(config.snapshotFile === undefined ? {} : { snapshotFile: config.snapshotFile }),
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    logger,
  });
  console.log(`omise emulator listening on ${emulator.url} (secret key ${emulator.secretKey})`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  if (config.scenario !== undefined) {
    const run = await emulator.startScenario(config.scenario);
    console.log(`scenario ${run.name} ${run.status}: ${JSON.stringify(run.summary ?? run.error)}`);
  }
}

function toFaults<T extends object>(patch: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
