import { jobCatalog } from '@omise-sync/core';
import { useTestRedis } from '@omise-sync/testing';
import { Queue } from 'bullmq';
import { WorkerMetrics, bullQueueProbe } from './metrics';
import { type MetricsServer, startMetricsServer } from './metrics-server';

describe('metrics server', () => {
  const redis = useTestRedis();
  let server: MetricsServer;
  let queue: Queue;
  let ready = true;
  const metrics = new WorkerMetrics();

  beforeAll(async () => {
    queue = new Queue(jobCatalog.omiseEvent.queue, {
      connection: redis.connect(),
      prefix: redis.prefix,
    });
    metrics.observeQueues([bullQueueProbe(queue, 'default')]);
    server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      checkReady: () =>
        Promise.resolve({ ready, checks: { postgres: ready ? 'ok' : 'unreachable', redis: 'ok' } }),
    });
  });
  afterAll(async () => {
    await server.close();
    await queue.close();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('when the process runs, /healthz answers 200', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
  });

  it('when Postgres is unreachable, /readyz answers 503 naming it, and 200 once it is back', async () => {
    ready = false;
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'not ready',
      postgres: 'unreachable',
      redis: 'ok',
    });
    ready = true;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('when jobs wait, /metrics reports the queue depth and the age of the oldest', async () => {
    await queue.add('omise-event', {}, { jobId: 'evnt_a', timestamp: Date.now() - 90_000 });
    await queue.add('omise-event', {}, { jobId: 'evnt_b' });
    metrics.jobs.inc({ account: 'default', outcome: 'projected' });
    metrics.recordOmiseResponseOf('default')({
      method: 'GET',
      path: '/charges/:id',
      status: 200,
      outcome: 'response',
      durationMs: 3,
      attempt: 1,
    });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(
      'omise_sync_queue_waiting_jobs{queue="omise-events",account="default"} 2',
    );
    const age =
      /omise_sync_queue_oldest_waiting_age_seconds\{queue="omise-events",account="default"\} ([\d.]+)/.exec(
        text,
      );
    expect(Number(age?.[1])).toBeGreaterThanOrEqual(90);
    expect(text).toContain('omise_sync_worker_jobs_total{account="default",outcome="projected"} 1');
    expect(text).toContain(
      'omise_sync_omise_api_requests_total{account="default",method="GET",path="/charges/:id",status="200"} 1',
    );
    for (const name of [
      'omise_sync_projection_duration_seconds',
      'omise_sync_event_lag_seconds',
      'omise_sync_delivery_lag_seconds',
      'omise_sync_worker_auth_failures_total',
      'omise_sync_dispute_flags_total',
      'omise_sync_notifications_total',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('when the path is unknown, it answers 404', async () => {
    expect((await get('/nope')).status).toBe(404);
  });
});
