import { readFile } from 'node:fs/promises';

import { CORPUS } from './test-app.ts';
import { collectSse, gql } from './graphql-client.ts';

export const JOB_FIELDS = `
  id status attempt
  error { code message }
  progress { outputsDone outputsTotal }
  source { bytes format }
  outputs { id format width height bytes url }
`;

export interface JobView {
  id: string;
  status: string;
  attempt: number;
  error: { code: string; message: string } | null;
  progress: { outputsDone: number; outputsTotal: number };
  source: { bytes: number | null; format: string | null };
  outputs: {
    id: string;
    format: string;
    width: number;
    height: number;
    bytes: number;
    url: string;
  }[];
}

export const DEFAULT_OUTPUTS = [
  { id: 'thumb', resize: { width: 150 }, format: 'WEBP' },
  { id: 'large', resize: { width: 720 }, format: 'JPEG', quality: 82 },
];

const CREATE_JOB = `mutation ($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobPayload {
      job { ${JOB_FIELDS} }
      upload { url method headers { name value } expiresAt }
    }
    ... on InvalidInputError { message issues { path message accepted received } }
    ... on SourceRejectedError { code message }
  }
}`;

const START_JOB = `mutation ($id: ID!) {
  startJob(id: $id) {
    __typename
    ... on Job { ${JOB_FIELDS} }
    ... on Error { message }
    ... on SourceRejectedError { code bytes maxBytes detectedFormat }
    ... on JobStateError { status allowed }
  }
}`;

export const FOLLOW_JOB = `subscription ($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`;

export interface CreatedJob {
  job: JobView;
  upload: { url: string; headers: { name: string; value: string }[] } | null;
}

export async function createJob(
  url: string,
  input: Record<string, unknown> = { outputs: DEFAULT_OUTPUTS },
  owner = 'alice',
) {
  const result = await gql<{ createJob: CreatedJob & Record<string, unknown> }>(
    url,
    CREATE_JOB,
    { input },
    owner,
  );
  if (!result.data) throw new Error(`createJob failed: ${JSON.stringify(result.errors)}`);
  return result.data.createJob;
}

export async function startJob(url: string, id: string, owner = 'alice') {
  const result = await gql<{ startJob: JobView & Record<string, unknown> }>(
    url,
    START_JOB,
    { id },
    owner,
  );
  if (!result.data) throw new Error(`startJob failed: ${JSON.stringify(result.errors)}`);
  return result.data.startJob;
}

export async function upload(grant: CreatedJob['upload'], body: Uint8Array): Promise<Response> {
  if (!grant) throw new Error('job has no upload grant');
  const headers = Object.fromEntries(grant.headers.map((h) => [h.name, h.value]));
  return fetch(grant.url, { method: 'PUT', headers, body: new Blob([new Uint8Array(body)]) });
}

export function readCorpus(file: string): Promise<Buffer> {
  return readFile(new URL(file, CORPUS));
}

/** createJob, then upload a corpus file through the presigned URL. */
export async function createUploadedJob(url: string, file: string, owner = 'alice') {
  const created = await createJob(url, { outputs: DEFAULT_OUTPUTS }, owner);
  const response = await upload(created.upload, await readCorpus(file));
  if (!response.ok) throw new Error(`upload failed with ${response.status}`);
  return created.job;
}

/**
 * Subscribes to the job over SSE, starts it once the first event (its current
 * state) has arrived, and resolves with every event until the stream ends.
 */
export async function followAndStart(url: string, id: string, owner = 'alice') {
  let started: Promise<unknown> | null = null;
  const events = await collectSse<{ jobProgress: JobView }>(url, FOLLOW_JOB, { id }, owner, {
    onEvent: () => {
      started ??= startJob(url, id, owner);
    },
  });
  await started;
  return events.map((event) => event.data?.jobProgress as JobView);
}
