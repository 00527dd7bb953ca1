/**
 * A stand-in worker for the pool tests: a task whose first output is named
 * `exit` kills its thread the way a native crash or a stray process.exit()
 * would; any other task is processed by the real worker.
 */
import processTask from '../../src/pool/process-task.ts';
import type { ProcessTask } from '../../src/pool/task.ts';

export default async function exitOrProcess(task: ProcessTask): ReturnType<typeof processTask> {
  if (task.outputs[0]?.id === 'exit') process.exit(3);
  return processTask(task);
}
