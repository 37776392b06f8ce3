#!/usr/bin/env node
import { runEmulatorCli } from './emulator-cli';

/** `npm run emulator -- --port 4010 [--scenario traffic|demo|bulk ...]`: the composition root. */
async function main(): Promise<void> {
  const run = await runEmulatorCli(process.env, process.argv.slice(2), (line) => console.log(line));
  if (run === undefined) return;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    run.emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await run.scenario;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
