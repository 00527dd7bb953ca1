import type { UploadGrant } from './job-api.ts';

/** Sends the source bytes the way the grant says: its method, URL and headers. */
export async function uploadSource(
  grant: UploadGrant,
  bytes: Uint8Array<ArrayBuffer>,
  signal: AbortSignal,
): Promise<void> {
  const headers = new Headers();
  for (const { name, value } of grant.headers) headers.append(name, value);

  const response = await fetch(grant.url, { method: grant.method, headers, body: bytes, signal });
  if (!response.ok) {
    const detail = (await response.text()).slice(0, 200);
    throw new Error(`upload answered HTTP ${response.status}: ${detail}`);
  }
  // Drain the body so the connection goes back to the pool.
  await response.arrayBuffer();
}
