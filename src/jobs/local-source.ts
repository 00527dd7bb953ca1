import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

export class LocalSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSourceError';
  }
}

/**
 * Resolves a development source path inside `root`. Symlinks are followed
 * before the check, so neither `../` nor a link can reach outside the folder.
 */
export async function resolveLocalSource(root: string, path: string): Promise<string> {
  if (path.length === 0 || path.includes('\0') || isAbsolute(path)) {
    throw new LocalSourceError('localSource must be a relative path inside the source folder');
  }

  const realRoot = await realpath(root);
  let target: string;
  try {
    target = await realpath(resolve(realRoot, path));
  } catch {
    throw new LocalSourceError(`no file ${JSON.stringify(path)} in the source folder`);
  }

  const inside = relative(realRoot, target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new LocalSourceError('localSource must be a relative path inside the source folder');
  }
  if (!(await stat(target)).isFile()) {
    throw new LocalSourceError(`${JSON.stringify(path)} is not a file`);
  }
  return target;
}
