import { move, transferableSymbol, valueSymbol } from 'piscina';

import type { ProcessResult } from './task.ts';

/**
 * Wraps a result so piscina transfers the encoded output buffers to the main
 * thread instead of cloning them. `move()` must get this wrapper itself:
 * a `move()`d buffer nested inside a plain object is cloned and lost.
 */
class TransferableResult {
  readonly #result: ProcessResult;

  constructor(result: ProcessResult) {
    this.#result = result;
  }

  get [transferableSymbol](): ArrayBuffer[] {
    return this.#result.ok ? this.#result.outputs.map((output) => output.data) : [];
  }

  get [valueSymbol](): ProcessResult {
    return this.#result;
  }
}

/** What the worker returns: unwrapped to a plain `ProcessResult` on arrival. */
export function transferResult(result: ProcessResult): ReturnType<typeof move> {
  return move(new TransferableResult(result));
}
