import { readFile } from 'node:fs/promises';

import { CORPUS } from '../../support/test-app.ts';

/** A job to submit: its source bytes and the outputs it asks for. */
export interface JobSpec {
  source: Uint8Array;
  outputs: Record<string, unknown>[];
}

export interface SubmittedJob {
  id: string;
  /** Client clock when startJob was answered. */
  startedAt: number;
}

const CREATE_JOB = `mutation ($input: CreateJobInput!) { createJob(input: $input) {
  __typename ... on CreateJobPayload { job { id } upload { url headers { name value } } } } }`;
const START_JOB = `mutation ($id: ID!) { startJob(id: $id) {
  __typename ... on Job { status } ... on JobStateError { status } } }`;

const OWNER = 'faults';

/** Small PNGs from the PNG suite: jobs of a few milliseconds of pixels. */
const TINY_FILES = [
  'pngsuite/basn2c16.png',
  'pngsuite/basn3p08.png',
  'pngsuite/basn4a08.png',
  'pngsuite/basn6a08.png',
  'pngsuite/basi6a08.png',
  'pngsuite/tbrn2c08.png',
];

const THUMB_AND_LARGE = [
  { id: 'thumb', resize: { width: 150 }, format: 'WEBP' },
  { id: 'large', resize: { width: 720 }, format: 'JPEG', quality: 82 },
];

export async function tinySpecs(): Promise<JobSpec[]> {
  const sources = await Promise.all(TINY_FILES.map((file) => readFile(new URL(file, CORPUS))));
  return sources.map((source) => ({ source, outputs: THUMB_AND_LARGE }));
}

/**
 * Full-size AVIFs of a 3840×2160 photo: about 2 s of one core per output
 * here, longer when the cores are shared.
 */
export async function slowSpec(avifOutputs: number): Promise<JobSpec> {
  const source = await readFile(new URL('sharp/gain-map.jpg', CORPUS));
  const outputs = Array.from({ length: avifOutputs }, (_, i) => ({
    id: `avif-${i}`,
    format: 'AVIF',
    quality: 60 + i,
  }));
  return { source, outputs };
}

interface Answer {
  status: number;
  body: { data?: Record<string, Record<string, unknown>>; errors?: unknown[] } | null;
}

/** One GraphQL request with a deadline; never waits longer than `timeoutMs`. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': OWNER },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    return { status: response.status, body: null };
  }
}

/**
 * createJob, upload and startJob as a client would, moving on to the next
 * replica when one does not answer (it may have just been killed). Resolves
 * with the job once startJob was accepted, or null when every try failed; a
 * job whose startJob answer was lost is retried and reported as started.
 */
export async function submitJob(
  targets: () => string[],
  spec: JobSpec,
  tries = 6,
): Promise<SubmittedJob | null> {
  let created: { id: string; url: string; headers: Record<string, string> } | null = null;
  for (let i = 0; i < tries && !created; i += 1) {
    const answer = await onAnyReplica(targets, i, CREATE_JOB, { input: { outputs: spec.outputs } });
    const payload = answer?.body?.data?.createJob as CreatedPayload | undefined;
    if (payload?.job && payload.upload) {
      const headers = Object.fromEntries(payload.upload.headers.map((h) => [h.name, h.value]));
      created = { id: payload.job.id, url: payload.upload.url, headers };
    }
  }
  if (!created) return null;

  const uploaded = await fetch(created.url, {
    method: 'PUT',
    headers: created.headers,
    body: new Blob([new Uint8Array(spec.source)]),
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null);
  if (!uploaded?.ok) return null;

  for (let i = 0; i < tries; i += 1) {
    const answer = await onAnyReplica(targets, i, START_JOB, { id: created.id });
    const result = answer?.body?.data?.startJob;
    const accepted = result?.__typename === 'Job' ||
      (result?.__typename === 'JobStateError' && result.status !== 'CREATED');
    if (accepted) return { id: created.id, startedAt: Date.now() };
  }
  return null;
}

interface CreatedPayload {
  job?: { id: string };
  upload?: { url: string; headers: { name: string; value: string }[] };
}

async function onAnyReplica(
  targets: () => string[],
  turn: number,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer | null> {
  const urls = targets();
  const url = urls[(turn + Math.floor(Math.random() * urls.length)) % Math.max(urls.length, 1)];
  if (!url) return null;
  try {
    const answer = await postGraphQL(url, query, variables);
    if (answer.status === 200) return answer;
  } catch {
    // Refused or reset: the replica is down; the next turn tries another.
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return null;
}

export interface JobStream {
  submitted: SubmittedJob[];
  /** Submissions that no replica accepted (e.g. during an outage). */
  refused(): number;
  /** Stops submitting and waits for submissions under way. */
  stop(): Promise<void>;
}

export interface JobStreamOptions {
  targets: () => string[];
  ratePerSecond: number;
  /** The i-th job to submit. */
  next: (index: number) => JobSpec;
  /** The stream ends by itself after this many jobs. */
  maxJobs: number;
  /** Submissions under way at once; ticks beyond it are skipped. */
  maxInFlight?: number;
  tries?: number;
}

/** Submits jobs at a steady rate until stopped or `maxJobs` were sent. */
export function startJobStream(options: JobStreamOptions): JobStream {
  const submitted: SubmittedJob[] = [];
  const pending = new Set<Promise<void>>();
  let refused = 0;
  let sent = 0;

  const timer = setInterval(() => {
    if (sent >= options.maxJobs) return clearInterval(timer);
    if (pending.size >= (options.maxInFlight ?? 16)) return;
    const spec = options.next(sent);
    sent += 1;
    const submission = submitJob(options.targets, spec, options.tries).then((job) => {
      if (job) submitted.push(job);
      else refused += 1;
    });
    pending.add(submission);
    void submission.finally(() => pending.delete(submission));
  }, 1000 / options.ratePerSecond);

  return {
    submitted,
    refused: () => refused,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}
