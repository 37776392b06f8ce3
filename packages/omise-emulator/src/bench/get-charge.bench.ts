import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';

/**
 * `npm run bench:emulator`: GET /charges/:id per second against the built emulator running
 * as its own process (as the demo and benchmarks run it), driven by autocannon from this one.
 * Env: BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 50), BENCH_CHARGES (default 10000).
 */
async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION_S ?? '10');
  const connections = Number(process.env.BENCH_CONNECTIONS ?? '50');
  const charges = Number(process.env.BENCH_CHARGES ?? '10000');
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', 'cli.js'), '--port', '0', '--seed', 'bench'],
    {
      env: { ...process.env, EMULATOR_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
  });
  try {
    const auth = `Basic ${Buffer.from('skey_test_emulator:').toString('base64')}`;
    const seeded = await fetch(`${url}/_emulator/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bulk', charges, wait: true }),
    });
    const run = (await seeded.json()) as { summary: { durationMs: number } };
    console.log(`seeded ${charges} charges in ${run.summary.durationMs} ms (bulk scenario)`);
    const page = (await (
      await fetch(`${url}/charges?limit=100&order=reverse_chronological`, {
        headers: { authorization: auth },
      })
    ).json()) as { data: Array<{ id: string }> };
    const ids = page.data.map((c) => c.id);
    let next = 0;
    const result = await autocannon({
      url,
      connections,
      duration,
      headers: { authorization: auth },
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({ ...request, path: `/charges/${ids[next++ % ids.length]}` }),
        },
      ],
    });
    console.log(
      JSON.stringify(
        {
          endpoint: 'GET /charges/:id',
          connections,
          durationS: duration,
          requestsPerSecondAvg: result.requests.average,
          requestsPerSecondP50: result.requests.p50,
          latencyMsP50: result.latency.p50,
          latencyMsP99: result.latency.p99,
          total: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
          node: process.version,
        },
        null,
        2,
      ),
    );
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
