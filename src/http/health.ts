export type HealthCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
  /** Problems that do not stop this replica from serving, but need an operator. */
  warnings?: string[];
}

/** A readiness concern that is reported without failing the check. */
export type HealthWarning = () => Promise<string | null>;

/** Each dependency must answer within this long for the replica to count as ready. */
const CHECK_TIMEOUT_MS = 2000;

export async function checkReadiness(
  checks: Record<string, HealthCheck>,
  warnings: HealthWarning[] = [],
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(
    names.map((name) => withTimeout(checks[name] as HealthCheck, CHECK_TIMEOUT_MS)),
  );

  const report: ReadinessReport = { ready: true, checks: {} };
  results.forEach((result, index) => {
    const name = names[index] as string;
    if (result.status === 'fulfilled') {
      report.checks[name] = 'ok';
    } else {
      report.ready = false;
      report.checks[name] = result.reason instanceof Error ? result.reason.message : 'failed';
    }
  });
  const found = await Promise.all(warnings.map((warning) => warning().catch(() => null)));
  const messages = found.filter((message): message is string => message !== null);
  if (messages.length > 0) report.warnings = messages;
  return report;
}

async function withTimeout(check: HealthCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
