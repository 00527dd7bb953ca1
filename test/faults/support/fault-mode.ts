/**
 * The fault suite runs in two sizes: a short form inside `npm test`, and the
 * full form (`npm run test:faults`, which sets FAULTS=full). Both run the same
 * code with the same short leases; only counts and durations differ.
 */
export const FULL = process.env.FAULTS === 'full';

export const FORM = FULL ? 'full' : 'short';

/** The short-form value in `npm test`, the full-form one under FAULTS=full. */
export function sized<T>(short: T, full: T): T {
  return FULL ? full : short;
}
