import { contextOfJob, currentJobTraceContext, isTracingEnabled, withSpan } from './tracing';

describe('isTracingEnabled', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
  ])('%j: %s', (env, enabled) => {
    expect(isTracingEnabled(env)).toBe(enabled);
  });
});

describe('with tracing off', () => {
  it('a span passes the result and the error through, and no context goes into a job', async () => {
    await expect(
      withSpan('test', {}, () => Promise.resolve(currentJobTraceContext())),
    ).resolves.toBeUndefined();
    const failure = new Error('boom');
    await expect(withSpan('test', {}, () => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('a job without trace context, or with a malformed one, starts from the root context', async () => {
    for (const carried of [undefined, { traceparent: 'not-a-traceparent' }]) {
      await withSpan('test', { parent: contextOfJob(carried) }, (span) => {
        expect(span.isRecording()).toBe(false);
        return Promise.resolve();
      });
    }
  });
});
