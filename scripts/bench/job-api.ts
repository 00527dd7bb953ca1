import { request } from './graphql.ts';

export const PROGRESS_FIELDS = `id status updatedAt outputs { id bytes }`;

export interface ProgressEvent {
  jobProgress: {
    id: string;
    status: string;
    updatedAt: string;
    outputs: { id: string; bytes: number }[];
  };
}

export const FOLLOW_JOB = `subscription ($id: ID!) { jobProgress(id: $id) { ${PROGRESS_FIELDS} } }`;

const CREATE_JOB = `mutation ($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobPayload { job { id } upload { url method headers { name value } } }
    ... on Error { message }
  }
}`;

const START_JOB = `mutation ($id: ID!) {
  startJob(id: $id) { __typename ... on Job { status } ... on Error { message } }
}`;

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

export interface UploadGrant {
  url: string;
  method: string;
  headers: { name: string; value: string }[];
}

export interface CreatedJob {
  id: string;
  upload: UploadGrant;
}

export function createJobBody(outputs: readonly object[]) {
  return { query: CREATE_JOB, variables: { input: { outputs } } };
}

export async function createJob(url: string, outputs: readonly object[]): Promise<CreatedJob> {
  const { variables } = createJobBody(outputs);
  const { createJob: payload } = await request<{
    createJob: { __typename: string; message?: string; job?: { id: string }; upload?: UploadGrant };
  }>(url, CREATE_JOB, variables);
  if (!payload.job || !payload.upload) {
    throw new Error(`createJob answered ${payload.__typename}: ${payload.message}`);
  }
  return { id: payload.job.id, upload: payload.upload };
}

export async function uploadSource(
  grant: UploadGrant,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<void> {
  const headers = new Headers();
  for (const { name, value } of grant.headers) headers.append(name, value);
  const response = await fetch(grant.url, {
    method: grant.method,
    headers,
    body: bytes,
  });
  // Drained, so the connection goes back to the pool.
  const text = await response.text();
  if (!response.ok) throw new Error(`upload answered HTTP ${response.status}: ${text}`);
}

export async function startJob(url: string, id: string): Promise<void> {
  const { startJob: result } = await request<{
    startJob: { __typename: string; status?: string; message?: string };
  }>(url, START_JOB, { id });
  if (result.__typename !== 'Job') {
    throw new Error(`startJob answered ${result.__typename}: ${result.message}`);
  }
}
