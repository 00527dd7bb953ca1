import type { Config } from '../config.ts';
import { LocalSourceError, resolveLocalSource } from '../jobs/local-source.ts';
import { SourceRejectedError } from '../schema/errors.ts';

/** The absolute path of a development source, or a typed refusal. */
export async function openLocalSource(config: Config, path: string): Promise<string> {
  if (!config.LOCAL_SOURCE_DIR) {
    throw new SourceRejectedError(
      'LOCAL_SOURCE_REFUSED',
      'local-file sources are disabled on this server (set LOCAL_SOURCE_DIR)',
    );
  }
  try {
    return await resolveLocalSource(config.LOCAL_SOURCE_DIR, path);
  } catch (error: unknown) {
    if (error instanceof LocalSourceError) {
      throw new SourceRejectedError('LOCAL_SOURCE_REFUSED', error.message);
    }
    throw error;
  }
}
