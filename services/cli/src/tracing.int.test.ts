import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { PIPELINE_TIMEOUT_MS, type Pipeline, startPipeline } from '../test/pipeline-harness';
import { waitFor } from '../test/sync-test-kit';

/** One span as an OTLP/HTTP JSON export carries it, with its service's name. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

function attributesOf(list: readonly OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? value.intValue ?? value.boolValue,
    ]),
  );
}

/** A local OTLP/HTTP collector (JSON encoding): keeps every span POSTed to /v1/traces. */
async function startOtlpListener(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  server: Server;
}> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

describe('OpenTelemetry traces across the pipeline', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let pipeline: Pipeline;
  let collector: Awaited<ReturnType<typeof startOtlpListener>>;

  beforeAll(async () => {
    collector = await startOtlpListener();
    pipeline = await startPipeline(database, redis, {
      seed: 'cli-tracing',
      serviceEnv: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Export every 100 ms instead of 5 s, so the test does not wait.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
  }, PIPELINE_TIMEOUT_MS);
  afterAll(async () => {
    await pipeline.close();
    const closed = new Promise((resolve) => collector.server.close(resolve));
    collector.server.closeAllConnections();
    await closed;
  }, PIPELINE_TIMEOUT_MS);

  it("one event's spans share one trace: the receiver's request and enqueue, the worker's job, its Omise fetch and its Postgres transaction", async () => {
    const { actions } = pipeline.emulator;
    const token = actions.createToken({
      card: { name: 'T', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
    const chargeId = String(
      actions.createCharge({ amount: 42_000, currency: 'THB', card: String(token['id']) })['id'],
    );
    await pipeline.idle();

    // The trace of the event whose job fetched the charge, once every span has arrived.
    const expected = [
      'POST /webhooks/omise',
      'enqueue omise-event',
      'process omise-event',
      'project batch',
      'omise fetch charge',
      'pg transaction',
    ];
    const findTrace = (): ReceivedSpan[] | undefined => {
      const fetch = collector.spans.find(
        (span) =>
          span.name === 'omise fetch charge' && span.attributes['omise.resource.id'] === chargeId,
      );
      if (fetch === undefined) return undefined;
      const spans = collector.spans.filter((span) => span.traceId === fetch.traceId);
      const names = new Set(spans.map((span) => span.name));
      return expected.every((name) => names.has(name)) ? spans : undefined;
    };
    const trace = await waitFor(() => Promise.resolve(findTrace()), {
      timeoutMs: 30_000,
      what: "the event's spans",
    });

    const byName = (name: string) => trace.find((span) => span.name === name);
    expect(new Set(trace.map((span) => span.service))).toEqual(
      new Set(['omise-sync-webhook-receiver', 'omise-sync-worker']),
    );
    // Parent to child, process to process: request → enqueue → job → batch → transaction → fetch.
    expect(byName('POST /webhooks/omise')?.parentSpanId).toBe('');
    expect(byName('enqueue omise-event')?.parentSpanId).toBe(
      byName('POST /webhooks/omise')?.spanId,
    );
    expect(byName('process omise-event')?.parentSpanId).toBe(byName('enqueue omise-event')?.spanId);
    expect(byName('project batch')?.parentSpanId).toBe(byName('process omise-event')?.spanId);
    expect(byName('pg transaction')?.parentSpanId).toBe(byName('project batch')?.spanId);
    expect(byName('omise fetch charge')?.parentSpanId).toBe(byName('pg transaction')?.spanId);
    const eventId = byName('enqueue omise-event')?.attributes['omise.event.id'];
    expect(byName('process omise-event')?.attributes['omise.event.id']).toBe(eventId);

    // Every event the worker processed continued the trace its delivery started.
    const enqueued = new Map(
      collector.spans
        .filter((span) => span.name === 'enqueue omise-event')
        .map((span) => [span.attributes['omise.event.id'], span.traceId]),
    );
    const processed = collector.spans.filter((span) => span.name === 'process omise-event');
    expect(processed.length).toBeGreaterThan(0);
    for (const span of processed) {
      expect(span.traceId).toBe(enqueued.get(span.attributes['omise.event.id']));
    }
  });
});
