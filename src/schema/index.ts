import type { GraphQLSchema } from 'graphql';

import { registerCancelJob } from '../resolvers/cancel-job.ts';
import { registerCreateJob } from '../resolvers/create-job.ts';
import { registerCreateWatermarkUpload } from '../resolvers/create-watermark-upload.ts';
import { registerJobProgress } from '../resolvers/job-progress.ts';
import { registerJobQueries } from '../resolvers/job-queries.ts';
import { registerPresetQueries } from '../resolvers/preset-queries.ts';
import { registerSavePreset } from '../resolvers/save-preset.ts';
import { registerStartJob } from '../resolvers/start-job.ts';
import { createBuilder } from './builder.ts';
import { registerErrorTypes } from './errors.ts';
import { registerJobTypes } from './job-types.ts';
import { registerOutputInput } from './output-input.ts';
import { registerPresetTypes } from './preset-types.ts';

/** Builds the whole GraphQL schema; `schema.graphql` is this, printed. */
export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({});
  builder.mutationType({});
  builder.subscriptionType({});

  const errorTypes = registerErrorTypes(builder);
  const types = registerJobTypes(builder, errorTypes);
  const OutputInput = registerOutputInput(builder, types);
  const presetTypes = registerPresetTypes(builder, types);
  registerCreateJob(builder, types, OutputInput);
  registerSavePreset(builder, presetTypes, OutputInput);
  registerPresetQueries(builder, presetTypes);
  registerStartJob(builder, types);
  registerCreateWatermarkUpload(builder, types);
  registerCancelJob(builder, types);
  registerJobQueries(builder, types);
  registerJobProgress(builder, types);

  return builder.toSchema({ sortSchema: true });
}
