/**
 * The piscina worker module: one call makes every output of one job. It reads
 * only the bytes it is handed and touches no network, database or file.
 */
import sharp from 'sharp';

import { decodeSource } from './decode-source.ts';
import { animatedFormat, assertAnimatable } from './encode-animation.ts';
import { assertEncodable, assertJobOutputs, encodeOutput } from './encode-output.ts';
import { isImageError } from './image-error.ts';
import { assertLimits, inspectSource } from './inspect-source.ts';
import { makePlaceholder } from './make-placeholder.ts';
import { planIntermediate, planOutput, type OutputPlan } from './plan-outputs.ts';
import type { OutputDoneMessage, ProcessResult, ProcessTask, ProcessedOutput } from './task.ts';
import { transferResult } from './transferable-result.ts';

// Runs once, when the worker thread loads this module. Parallelism comes from
// one image per worker thread, not threads per image (perf-notes §2.3), and
// the libvips operation cache never hits for images that are seen once.
sharp.concurrency(1);
sharp.cache(false);

async function makeOutputs(task: ProcessTask): Promise<ProcessResult> {
  assertLimits(task.limits);
  // A view over the transferred memory: no copy.
  const input = Buffer.from(task.source);

  const header = await inspectSource(input, task.limits);
  const plans = task.outputs.map((spec) => planOutput(header.upright, spec));
  for (const plan of plans) assertEncodable(plan, task.limits.maxOutputPixels);

  // All frames are decoded only when some output animates; the first frame,
  // which every still output uses, is then a view into the same decode.
  const animation = header.animation;
  const animatedPlans = plans.filter((plan) => animatedFormat(plan.spec) !== null);
  const frames = animation !== null && animatedPlans.length > 0 ? animation.frames : 1;
  for (const plan of animatedPlans) {
    if (frames > 1) assertAnimatable(plan, frames, task.limits.maxInputPixels);
  }
  const framesOf = (plan: OutputPlan) => (animatedPlans.includes(plan) ? frames : 1);
  assertJobOutputs(plans, framesOf, task.limits.maxJobOutputPixels);

  const size = planIntermediate(header.upright, plans);
  const decoded = await decodeSource(input, header.upright, size, task.limits, frames);
  const first = decoded[0];
  if (first === undefined) throw new Error('a decode with no frames');

  const images = Object.entries(task.watermarks ?? {}).map(
    ([assetId, bytes]) => [assetId, Buffer.from(bytes)] as const,
  );
  const context = {
    source: header.upright,
    maxOutputPixels: task.limits.maxOutputPixels,
    exif: header.exif,
    watermarks: { images: new Map(images), maxInputPixels: task.limits.maxInputPixels },
    animation: frames > 1 ? animation : null,
    input,
    hasGainMap: header.hasGainMap,
    maxInputPixels: task.limits.maxInputPixels,
  };
  // One at a time: libvips gives each image one thread here anyway, and
  // progress then follows the order in which outputs finish.
  const outputs: ProcessedOutput[] = [];
  for (const plan of plans) {
    outputs.push(await encodeOutput(decoded, plan, context));
    const done: OutputDoneMessage = { outputId: plan.spec.id };
    task.progressPort?.postMessage(done);
  }

  return {
    ok: true,
    source: { format: header.format, ...header.upright },
    pixelsProcessed: header.pagePixels * frames,
    outputs,
    ...(task.placeholders === true ? { placeholder: await makePlaceholder(first) } : {}),
  };
}

/** The same work with a plain result, for callers in this thread (tests, tools). */
export async function processImage(task: ProcessTask): Promise<ProcessResult> {
  try {
    return await makeOutputs(task);
  } catch (error: unknown) {
    if (!isImageError(error)) throw error;
    return { ok: false, code: error.code, message: error.message };
  } finally {
    task.progressPort?.close();
  }
}

export default async function processTask(
  task: ProcessTask,
): Promise<ReturnType<typeof transferResult>> {
  return transferResult(await processImage(task));
}
