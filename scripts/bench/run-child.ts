import { spawn } from 'node:child_process';

/** The root of the checkout, where `tsx` and `src/` are found. */
export const REPO_ROOT = new URL('../../', import.meta.url);

/**
 * Runs a TypeScript file in a fresh Node process and returns its last line of
 * stdout parsed as JSON. Killed after `timeoutMs`.
 */
export function runTsChild<T>(file: URL, args: string[], timeoutMs: number): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', file.pathname, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);

  return new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || last === '') {
        const why = signal ? `signal ${signal}` : `code ${code}`;
        reject(new Error(`${file.pathname} ended with ${why}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}
