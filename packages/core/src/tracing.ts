import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions as ApiSpanOptions,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { z } from 'zod';

/**
 * OpenTelemetry traces (ADR 0010). Spans go through `@opentelemetry/api`, whose tracer is a
 * no-op until {@link startTracing} registers the SDK: with tracing off, a span costs an object
 * and no context is carried in jobs.
 */

export { SpanKind, type Context, type Span };

/** The instrumentation scope of every omise-sync span. */
export const TRACER_NAME = 'omise-sync';

/**
 * The W3C Trace Context of the span that put a job on the queue, carried in the job so the
 * worker's spans continue the delivery's trace.
 */
export const JobTraceContext = z.object({
  traceparent: z.string().max(128),
  tracestate: z.string().max(512).optional(),
});
export type JobTraceContext = z.infer<typeof JobTraceContext>;

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent context. @defaultValue the active context */
  parent?: Context;
  /** Contexts of other operations this span serves (e.g. the other jobs of one batch). */
  links?: readonly Context[];
}

function linksOf(contexts: readonly Context[] | undefined): Link[] | undefined {
  if (contexts === undefined || contexts.length === 0) return undefined;
  const links: Link[] = [];
  for (const linked of contexts) {
    const spanContext = trace.getSpanContext(linked);
    if (spanContext !== undefined) links.push({ context: spanContext });
  }
  return links;
}

/**
 * Starts a span. The caller ends it; {@link runInSpan} makes it the active span of a callback.
 */
export function startSpan(name: string, options: SpanOptions = {}): Span {
  // Assigned rather than spread: this runs several times per event, traced or not.
  const spanOptions: ApiSpanOptions = {};
  if (options.kind !== undefined) spanOptions.kind = options.kind;
  if (options.attributes !== undefined) spanOptions.attributes = options.attributes;
  const links = linksOf(options.links);
  if (links !== undefined) spanOptions.links = links;
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(name, spanOptions, options.parent ?? context.active());
}

/** Runs `fn` with `span` as the active span (its child spans and job contexts follow it). */
export function runInSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Marks the span failed with the error. */
export function recordSpanError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.name : String(error),
  });
}

/**
 * Runs `fn` in a new active span, which ends when `fn` settles; a rejection marks it failed
 * and passes through unchanged.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () =>
      fn(span),
    );
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The active context, to hand to work that runs later (e.g. a batch). */
export function activeContext(): Context {
  return context.active();
}

/** The active span's context for a job, or undefined when no span is recording (tracing off). */
export function currentJobTraceContext(): JobTraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const { traceparent, tracestate } = carrier;
  if (traceparent === undefined) return undefined;
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** The context a job carries (a root context when it carries none). */
export function contextOfJob(carried: JobTraceContext | undefined): Context {
  return carried === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, carried);
}

/** The context an incoming request carries in its `traceparent` header, if any. */
export function contextOfHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * True when the standard `OTEL_*` variables ask for traces: `OTEL_TRACES_EXPORTER` names an
 * exporter other than `none`, or (with it unset) an OTLP endpoint is set; never with
 * `OTEL_SDK_DISABLED=true`. Off by default.
 */
export function isTracingEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = env['OTEL_TRACES_EXPORTER']?.trim();
  if (exporters !== undefined && exporters !== '') {
    return exporters.split(',').some((name) => name.trim() !== 'none' && name.trim() !== '');
  }
  return [env['OTEL_EXPORTER_OTLP_ENDPOINT'], env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']].some(
    (value) => value !== undefined && value.trim() !== '',
  );
}

/** A started SDK; `shutdown` flushes the spans still buffered. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry's Node SDK when {@link isTracingEnabled}, configured by the standard
 * `OTEL_*` variables (exporter, endpoint, protocol, headers, sampler, resource attributes).
 * Traces only: metrics stay with Prometheus and logs with pino. `serviceName` applies when
 * `OTEL_SERVICE_NAME` is unset. The SDK is loaded only then, so a service without tracing
 * never pays for it.
 * @returns undefined when tracing is off
 */
export async function startTracing(
  serviceName: string,
  env: NodeJS.ProcessEnv,
): Promise<Tracing | undefined> {
  if (!isTracingEnabled(env)) return undefined;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    ...(env['OTEL_SERVICE_NAME'] === undefined ? { serviceName } : {}),
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
