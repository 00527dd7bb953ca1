import { SpanStatusCode } from '@opentelemetry/api';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

import { contextFromHeaders, tracer } from '../tracing.ts';

/**
 * One span per executed GraphQL operation, named after it (`mutation
 * startJob`), continuing the trace of an incoming `traceparent` header. The
 * resolvers run inside it, so their spans are its children. Subscriptions
 * are not traced: a span that lasts as long as a client listens says little.
 */
export function useOperationSpans(): Plugin<{ request: Request }> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value ?? firstField(operation) ?? 'anonymous';
      const request = (args.contextValue as { request?: Request }).request;
      const parent = contextFromHeaders(request?.headers ?? new Headers());

      setExecuteFn((executeArgs) =>
        tracer.startActiveSpan(
          `${type} ${name}`,
          { attributes: { 'graphql.operation.type': type, 'graphql.operation.name': name } },
          parent,
          async (span) => {
            try {
              const result = await executeFn(executeArgs);
              const errors = 'errors' in result ? (result as ExecutionResult).errors : undefined;
              if (errors?.length) {
                const message = errors.map((error) => error.message).join('; ');
                span.setStatus({ code: SpanStatusCode.ERROR, message });
              }
              return result;
            } finally {
              span.end();
            }
          },
        ),
      );
    },
  };
}

/** An anonymous operation is known by its first field, e.g. `startJob`. */
function firstField(operation: ReturnType<typeof getOperationAST>): string | undefined {
  const selection = operation?.selectionSet.selections[0];
  return selection?.kind === 'Field' ? selection.name.value : undefined;
}
