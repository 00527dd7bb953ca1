import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.ts';
import { startTracing } from '../../src/tracing.ts';

describe('tracing and rate-limit settings', () => {
  it('leaves tracing off, with no provider registered, when no OTEL setting asks for it', () => {
    expect(startTracing(loadConfig({}))).toBeNull();
    expect(startTracing(loadConfig({ OTEL_TRACES_EXPORTER: 'none' }))).toBeNull();
    // The no-op tracer's spans record nothing.
    expect(trace.getTracer('pixelflow').startSpan('probe').isRecording()).toBe(false);
  });

  it('refuses an unknown exporter and a bucket that holds no call', () => {
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig({ RATE_LIMIT_CREATE_BURST: '0' })).toThrow(/RATE_LIMIT_CREATE_BURST/);
  });

  it('turns a limit off with 0 a minute', () => {
    expect(loadConfig({ RATE_LIMIT_START_PER_MINUTE: '0' }).RATE_LIMIT_START_PER_MINUTE).toBe(0);
  });
});
