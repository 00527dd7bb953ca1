import type { GraphQLSchema } from 'graphql';

import { registerCancelJob } from '../resolvers/cancel-job.ts';
import { registerCreateJob } from '../resolvers/create-job.ts';
import { registerCreateWatermarkUpload } from '../resolvers/create-watermark-upload.ts';
import { registerJobProgress } from '../resolvers/job-progress.ts';
import { registerJobQueries } from '../resolvers/job-queries.ts';
import { registerStartJob } from '../resolvers/start-job.ts';
import { createBuilder } from './builder.ts';
import { registerErrorTypes } from './errors.ts';
import { registerJobTypes } from './job-types.ts';

/** Builds the whole GraphQL schema; `schema.graphql` is this, printed. */
export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({});
  builder.mutationType({});
  builder.subscriptionType({});

  const errorTypes = registerErrorTypes(builder);
  const types = registerJobTypes(builder, errorTypes);
  registerCreateJob(builder, types);
  registerStartJob(builder, types);
  registerCreateWatermarkUpload(builder, types);
  registerCancelJob(builder, types);
  registerJobQueries(builder, types);
  registerJobProgress(builder, types);

  return builder.toSchema({ sortSchema: true });
}
