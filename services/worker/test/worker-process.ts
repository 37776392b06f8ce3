// Entry of a worker child process in tests: the real composition root, configured by the
// environment the test passes, reporting readiness over IPC.
import { runWorker } from '../src/main';

runWorker(process.env).then(
  () => process.send?.({ ready: true }),
  (error: unknown) => {
    process.stderr.write(`worker child failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);
