import { randomUUID } from 'node:crypto';

import type { Builder } from '../schema/builder.ts';
import { RateLimitedError } from '../schema/errors.ts';
import type { JobTypes, UploadGrant } from '../schema/job-types.ts';
import { WATERMARK_MAX_BYTES, watermarkKey } from '../jobs/watermark-assets.ts';

interface WatermarkUploadPayload {
  assetId: string;
  upload: UploadGrant;
}

export function registerCreateWatermarkUpload(builder: Builder, types: JobTypes) {
  const Payload = builder.objectRef<WatermarkUploadPayload>('WatermarkUploadPayload').implement({
    fields: (t) => ({
      assetId: t.id({
        description: 'Name this in `OutputInput.watermark.image.assetId` of your jobs.',
        resolve: (p) => p.assetId,
      }),
      upload: t.field({
        type: types.UploadGrantType,
        description: `Where to PUT the watermark image: at most ${WATERMARK_MAX_BYTES} bytes ` +
          'of an accepted source format (a PNG with transparency suits a logo).',
        resolve: (p) => p.upload,
      }),
    }),
  });

  builder.mutationField('createWatermarkUpload', (t) =>
    t.field({
      type: Payload,
      description: 'Reserves a watermark image for the caller and returns where to upload it. ' +
        'Only jobs of the same owner can use it; any number of them may.',
      errors: {
        types: [RateLimitedError],
        directResult: true,
        union: { name: 'CreateWatermarkUploadResult' },
      },
      resolve: async (_root, _args, ctx) => {
        const owner = ctx.requireOwner();
        // A grant is storage a caller can fill: it draws on the createJob bucket.
        await ctx.rateLimits.consume('createJob', owner);
        const assetId = randomUUID();
        const grant = await ctx.storage.presignUpload(
          watermarkKey(owner, assetId),
          ctx.config.UPLOAD_URL_TTL_SECONDS,
        );
        return { assetId, upload: { ...grant, headers: [] } };
      },
    }),
  );
}
