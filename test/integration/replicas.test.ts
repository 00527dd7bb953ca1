import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedS3, type EmbeddedS3 } from '../../src/infra/embedded-s3.ts';
import { collectSse, collectWs } from '../support/graphql-client.ts';
import { FOLLOW_JOB, createUploadedJob, startJob, type JobView } from '../support/jobs.ts';
import {
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';

let environment: TestEnvironment;
let storage: EmbeddedS3;
let storageDir: string;
let replicas: TestApp[] = [];

beforeAll(async () => {
  environment = await createTestEnvironment();
  storageDir = await mkdtemp(join(tmpdir(), 'pixelflow-shared-s3-'));
  storage = await startEmbeddedS3({
    host: '127.0.0.1',
    port: 0,
    directory: storageDir,
    bucket: 'pixelflow',
    accessKey: 'replicas',
    secretKey: 'replicas-shared-secret',
  });
  const shared = {
    STORAGE_ENDPOINT: storage.endpoint,
    STORAGE_ACCESS_KEY: storage.accessKey,
    STORAGE_SECRET_KEY: storage.secretKey,
  };
  // Started together, the two replicas also race to migrate the same new database.
  replicas = await Promise.all([
    startTestApp(environment, shared),
    startTestApp(environment, shared),
  ]);
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  await storage?.close();
  await environment?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

describe('several replicas', () => {
  it('deliver every event to subscribers on either replica, wherever the job runs', async () => {
    const [a, b] = replicas as [TestApp, TestApp];
    const files = [
      'kodak/kodim01.png',
      'kodak/kodim03.png',
      'kodak/kodim23.png',
      'exif-orientation/Landscape_3.jpg',
    ];
    const jobs = await Promise.all(files.map((file) => createUploadedJob(a.graphqlUrl, file)));

    const follows = jobs.map(async (job) => {
      let firstOnA: () => void = () => {};
      let firstOnB: () => void = () => {};
      const readyA = new Promise<void>((resolve) => (firstOnA = resolve));
      const readyB = new Promise<void>((resolve) => (firstOnB = resolve));
      const onA = collectSse<{ jobProgress: JobView }>(
        a.graphqlUrl,
        FOLLOW_JOB,
        { id: job.id },
        'alice',
        {
          onEvent: () => firstOnA(),
        },
      );
      const onB = collectWs<{ jobProgress: JobView }>(
        b.graphqlUrl,
        FOLLOW_JOB,
        { id: job.id },
        'alice',
        () => firstOnB(),
      );
      await Promise.all([readyA, readyB]);
      await startJob(b.graphqlUrl, job.id);
      return Promise.all([onA, onB]);
    });

    for (const [onA, onB] of await Promise.all(follows)) {
      const last = (events: typeof onA) => events.at(-1)?.data?.jobProgress;
      expect(last(onA)?.status).toBe('SUCCEEDED');
      expect(last(onB)?.status).toBe('SUCCEEDED');
      expect(last(onA)?.outputs).toHaveLength(2);
      expect(onA.map((e) => e.data?.jobProgress.status)).toContain('PROCESSING');
      expect(onB.map((e) => e.data?.jobProgress.status)).toContain('PROCESSING');
    }
  });
});
