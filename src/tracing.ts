import {
  ROOT_CONTEXT,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context as TraceContext,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

import type { Config } from './config.ts';

/**
 * Every span PixelFlow makes comes from this tracer. Until a provider is
 * registered it is OpenTelemetry's no-op tracer, so spans cost next to
 * nothing while tracing is off.
 */
export const tracer = trace.getTracer('pixelflow');

export interface Tracing {
  /** Sends the spans still buffered, then stops. Safe to call twice. */
  shutdown(): Promise<void>;
}

type TracingSettings = Pick<
  Config,
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_SERVICE_NAME'
>;

/**
 * Starts tracing when the standard settings ask for it: an OTLP endpoint, or
 * OTEL_TRACES_EXPORTER. Returns null, and registers nothing, otherwise. The
 * OTLP exporter reads its other settings (headers, timeout) from the
 * standard OTEL_EXPORTER_OTLP_* variables itself.
 */
export function startTracing(settings: TracingSettings): Tracing | null {
  const exporterName =
    settings.OTEL_TRACES_EXPORTER ??
    (settings.OTEL_EXPORTER_OTLP_ENDPOINT || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? 'otlp'
      : 'none');
  if (exporterName === 'none') return null;

  const exporter = exporterName === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  return registerTracing(settings.OTEL_SERVICE_NAME, new BatchSpanProcessor(exporter));
}

/**
 * Registers a tracer provider for this process, with the W3C trace-context
 * propagator and an AsyncLocalStorage context manager. Tests call it with an
 * in-memory exporter.
 */
export function registerTracing(serviceName: string, processor: SpanProcessor): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [processor],
  });
  provider.register();
  let stopped: Promise<void> | null = null;
  return {
    shutdown() {
      stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
      return stopped;
    },
  };
}

/**
 * Runs `work` in a new active span, ends it when the work settles, and marks
 * it failed when the work throws.
 */
export function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  work: (span: Span) => Promise<T>,
  parent: TraceContext = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error: unknown) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The W3C `traceparent` of the active span, or null when nothing is traced. */
export function currentTraceParent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** A context whose parent is the span a stored `traceparent` names. */
export function contextFromTraceParent(traceParent: string | null): TraceContext {
  if (!traceParent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: traceParent });
}

/** A context continuing the trace that an incoming request's headers carry, if any. */
export function contextFromHeaders(headers: Headers): TraceContext {
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => [...carrier.keys()],
    get: (carrier, key) => carrier.get(key) ?? undefined,
  });
}
