/**
 * Runs `work` on every item with at most `limit` in flight, calling `onDone`
 * as each finishes; resolves with the results in the items' order.
 */
export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  onDone: (result: R) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;

  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      // Indices below items.length always hold an item.
      const result = await work(items[index] as T);
      results[index] = result;
      onDone(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
