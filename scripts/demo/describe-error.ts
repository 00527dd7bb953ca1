/**
 * An error's message with its causes: undici's fetch only says "fetch failed"
 * and keeps the reason (ECONNREFUSED, a reset socket) in `cause`.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current !== undefined && parts.length < 4) {
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const code = 'code' in current && typeof current.code === 'string' ? current.code : null;
    parts.push(code !== null && !current.message.includes(code)
      ? `${current.message} (${code})`
      : current.message);
    current = current.cause;
  }
  return parts.join(': ');
}
