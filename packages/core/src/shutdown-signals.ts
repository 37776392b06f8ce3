/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits: 0 when it resolved, 1 when it
 * threw. A second signal while stopping is ignored (Kubernetes sends SIGKILL after the grace
 * period anyway). Every long-running entry point uses this, so they all shut down alike.
 */
export function onShutdownSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  report: (error: unknown) => void = (error) => console.error(error),
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        report(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
