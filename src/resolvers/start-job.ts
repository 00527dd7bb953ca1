import { readFile, stat } from 'node:fs/promises';

import type { Context } from '../schema/context.ts';
import type { Builder } from '../schema/builder.ts';
import {
  JobNotFoundError,
  JobStateError,
  RateLimitedError,
  SourceRejectedError,
  WatermarkRejectedError,
} from '../schema/errors.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { parseJobId } from '../jobs/job-store.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { checkSource } from '../jobs/source-check.ts';
import { checkWatermarkAssets, watermarkAssets } from '../jobs/watermark-assets.ts';
import { currentTraceParent, inSpan } from '../tracing.ts';
import { openLocalSource } from './local-source-access.ts';

export function registerStartJob(builder: Builder, types: JobTypes) {
  builder.mutationField('startJob', (t) =>
    t.field({
      type: types.JobType,
      description:
        'Checks the uploaded source (present, within the size limit, an accepted image ' +
        'format by its first bytes) and every watermark image it uses the same way, then ' +
        'queues the job.',
      errors: {
        types: [
          JobNotFoundError,
          JobStateError,
          SourceRejectedError,
          WatermarkRejectedError,
          RateLimitedError,
        ],
        directResult: true,
        union: { name: 'StartJobResult' },
      },
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) =>
        inSpan('startJob', { 'pixelflow.job.id': String(args.id) }, () => startJob(args, ctx)),
    }),
  );
}

async function startJob(args: { id: string | number }, ctx: Context): Promise<JobSnapshot> {
  const owner = ctx.requireOwner();
  await ctx.rateLimits.consume('startJob', owner);
  const id = parseJobId(String(args.id));
  const found = id ? await ctx.store.find(owner, id) : null;
  if (!id || !found) throw new JobNotFoundError(String(args.id));
  const { job } = found;
  if (job.status !== 'CREATED') throw new JobStateError(job.status, ['CREATED'], 'start');

  if (job.localSource !== null) await copyLocalSource(ctx, job.localSource, job.sourceKey);
  const check = await checkSource(ctx.storage, job.sourceKey, ctx.config.SOURCE_MAX_BYTES);
  if (!check.ok) {
    const { code, message, ok, ...details } = check;
    throw new SourceRejectedError(code, message, details);
  }
  const assets = watermarkAssets(job.outputs);
  const rejected = await checkWatermarkAssets(ctx.storage, owner, assets);
  if (rejected !== null) {
    const { code, message, assetId, ok, ...details } = rejected;
    throw new WatermarkRejectedError(code, message, assetId, details);
  }

  const queued = await ctx.store.markQueued(owner, id, check, currentTraceParent());
  if (!queued) {
    const now = await ctx.store.find(owner, id);
    if (!now) throw new JobNotFoundError(id);
    throw new JobStateError(now.job.status, ['CREATED'], 'start');
  }

  if (ctx.config.FAULT_INJECTION === 'exit-after-queue-commit') process.exit(137);

  // Only after the commit: a dispatcher that leases the id must find it
  // QUEUED. The job is queued once committed; should Redis fail now, the
  // reconciler hands it to Redis later, so the client is not told otherwise.
  const snapshot: JobSnapshot = { job: queued, outputs: [], outputsDone: 0 };
  try {
    await ctx.queue.enqueue([id]);
    await Promise.all([ctx.events.announceReady(), ctx.events.publish(snapshot)]);
  } catch (error: unknown) {
    ctx.logger.warn({ err: error, jobId: id }, 'queued job not yet pushed to Redis');
  }
  return snapshot;
}

async function copyLocalSource(ctx: Context, path: string, key: string) {
  const file = await openLocalSource(ctx.config, path);
  const { size } = await stat(file);
  const maxBytes = ctx.config.SOURCE_MAX_BYTES;
  if (size > maxBytes) {
    throw new SourceRejectedError(
      'SOURCE_TOO_LARGE',
      `the source is ${size} bytes; at most ${maxBytes} are accepted`,
      { bytes: size, maxBytes },
    );
  }
  await ctx.storage.write(key, await readFile(file), 'application/octet-stream');
}
