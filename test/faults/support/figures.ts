import { FORM } from './fault-mode.ts';

/** Prints a scenario's figures on one line, e.g. `[faults short] replica-kill: jobs=412 ...`. */
export function printFigures(scenario: string, figures: Record<string, string | number>): void {
  const fields = Object.entries(figures).map(([name, value]) => `${name}=${value}`);
  console.log(`[faults ${FORM}] ${scenario}: ${fields.join(' ')}`);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
