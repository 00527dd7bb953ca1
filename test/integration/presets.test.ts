import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { gql } from '../support/graphql-client.ts';
import { createJob, followAndStart } from '../support/jobs.ts';
import { CORPUS, startTestApp, useTestApp } from '../support/test-app.ts';

const setup = useTestApp({ LOCAL_SOURCE_DIR: fileURLToPath(CORPUS) });

const PRESET_FIELDS = `name version ref placeholders createdAt
  outputs { id format quality resize { width height fit } }`;

const SAVE_PRESET = `mutation ($input: SavePresetInput!) {
  savePreset(input: $input) {
    __typename
    ... on Preset { ${PRESET_FIELDS} }
    ... on InvalidInputError { issues { path message accepted received } }
  }
}`;

const PRESET = `query ($ref: String!) { preset(ref: $ref) { ${PRESET_FIELDS} } }`;

const PRESETS = `query ($name: String, $first: Int, $after: String) {
  presets(name: $name, first: $first, after: $after) {
    edges { cursor node { ref } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const CREATE_JOB = `mutation ($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobPayload { job { id preset requestedOutputs { id format resize { width } } } }
    ... on PresetNotFoundError { ref message }
    ... on InvalidInputError { issues { path message accepted received } }
  }
}`;

const JOB = `query ($id: ID!) {
  job(id: $id) {
    status preset
    requestedOutputs { id format resize { width } }
    outputs { id format width height }
    placeholder { dominantColour }
  }
}`;

interface PresetView {
  name: string;
  version: number;
  ref: string;
  placeholders: boolean;
  createdAt: string;
  outputs: { id: string; format: string; quality: number; resize: { width: number } | null }[];
}

interface Issue {
  path: string[];
  message: string;
  accepted: string;
  received: string;
}

interface Page {
  edges: { node: { ref: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

type SaveResult = PresetView & { __typename: string; issues?: Issue[] };

interface CreateResult {
  __typename: string;
  job?: { id: string; preset: string | null; requestedOutputs: PresetView['outputs'] };
  ref?: string;
  issues?: Issue[];
}

/** Each test names its presets afresh: the database is shared by the whole file. */
const freshName = (stem: string) => `${stem}-${randomBytes(4).toString('hex')}`;

const THUMB_V1 = [{ id: 'small', resize: { width: 64 }, format: 'PNG' }];
const THUMB_V2 = [
  { id: 'tiny', resize: { width: 32 }, format: 'WEBP', quality: 60 },
  { id: 'medium', resize: { width: 128 }, format: 'JPEG' },
];

async function savePreset(input: Record<string, unknown>, owner = 'alice') {
  const result = await gql<{ savePreset: SaveResult }>(
    setup.app.graphqlUrl,
    SAVE_PRESET,
    { input },
    owner,
  );
  if (!result.data) throw new Error(`savePreset failed: ${JSON.stringify(result.errors)}`);
  return result.data.savePreset;
}

async function presetOf(ref: string, owner = 'alice') {
  const result = await gql<{ preset: PresetView | null }>(
    setup.app.graphqlUrl,
    PRESET,
    { ref },
    owner,
  );
  if (!result.data) throw new Error(`preset failed: ${JSON.stringify(result.errors)}`);
  return result.data.preset;
}

async function refsOf(variables: Record<string, unknown>, owner = 'alice') {
  const result = await gql<{ presets: { edges: { node: { ref: string } }[] } }>(
    setup.app.graphqlUrl,
    PRESETS,
    variables,
    owner,
  );
  if (!result.data) throw new Error(`presets failed: ${JSON.stringify(result.errors)}`);
  return result.data.presets.edges.map((edge) => edge.node.ref);
}

async function createJobFrom(input: Record<string, unknown>, owner = 'alice') {
  const result = await gql<{ createJob: CreateResult }>(
    setup.app.graphqlUrl,
    CREATE_JOB,
    { input },
    owner,
  );
  if (!result.data) throw new Error(`createJob failed: ${JSON.stringify(result.errors)}`);
  return result.data.createJob;
}

describe('savePreset', () => {
  it('numbers the versions of a name 1, 2, 3 and keeps each as it was saved', async () => {
    const name = freshName('thumbs');
    const first = await savePreset({ name, outputs: THUMB_V1 });
    expect(first).toMatchObject({
      __typename: 'Preset',
      name,
      version: 1,
      ref: `${name}@1`,
      placeholders: false,
      outputs: [{ id: 'small', format: 'PNG', quality: 80, resize: { width: 64, fit: 'INSIDE' } }],
    });
    expect(Date.parse(first.createdAt)).not.toBeNaN();

    const second = await savePreset({ name, outputs: THUMB_V2, placeholders: true });
    expect(second).toMatchObject({ version: 2, ref: `${name}@2`, placeholders: true });
    expect((await savePreset({ name, outputs: THUMB_V1 })).version).toBe(3);

    expect(await presetOf(`${name}@1`)).toEqual({ ...first, __typename: undefined });
    expect((await presetOf(`${name}@2`))?.outputs.map((o) => o.id)).toEqual(['tiny', 'medium']);
    expect((await presetOf(name))?.ref).toBe(`${name}@3`);
    expect(await presetOf(`${name}@4`)).toBeNull();
  });

  it('gives concurrent saves of one name distinct versions, none failing', async () => {
    const name = freshName('race');
    const saves = await Promise.all(
      Array.from({ length: 8 }, () => savePreset({ name, outputs: THUMB_V1 })),
    );
    expect(saves.map((save) => save.__typename)).toEqual(Array(8).fill('Preset'));
    expect(saves.map((save) => save.version).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('checks outputs as createJob does and names every invalid field', async () => {
    const result = await savePreset({
      name: 'Thumbs!',
      outputs: [
        { id: 'a', format: 'JPEG', quality: 101 },
        { id: 'a', format: 'PNG', resize: { width: 0 } },
        { id: 'b', format: 'PNG', webp: { effort: 3 } },
      ],
    });
    expect(result.__typename).toBe('InvalidInputError');
    expect(result.issues).toEqual([
      {
        path: ['name'],
        message: 'invalid preset name',
        accepted: '1-64 of a-z 0-9 _ -, starting with a letter or digit',
        received: '"Thumbs!"',
      },
      { path: ['outputs', '0', 'quality'], message: 'out of range', accepted: '1..100',
        received: '101' },
      { path: ['outputs', '1', 'id'], message: 'duplicate output id',
        accepted: 'an id unique within the job', received: '"a"' },
      { path: ['outputs', '1', 'resize', 'width'], message: 'out of range',
        accepted: '1..16383', received: '0' },
      expect.objectContaining({ path: ['outputs', '2', 'webp'] }),
    ]);
    expect(await refsOf({ name: 'Thumbs!' })).toEqual([]);
  });

  it('holds a preset to the limit on outputs per job', async () => {
    const max = setup.app.config.MAX_OUTPUTS_PER_JOB;
    const outputs = Array.from({ length: max + 1 }, (_, i) => ({ id: `o${i}`, format: 'PNG' }));
    const result = await savePreset({ name: freshName('many'), outputs });
    expect(result.issues).toEqual([
      { path: ['outputs'], message: 'wrong number of outputs', accepted: `1..${max} outputs`,
        received: String(max + 1) },
    ]);
    const none = await savePreset({ name: freshName('none'), outputs: [] });
    expect(none.issues?.map((issue) => issue.path)).toEqual([['outputs']]);
  });
});

describe('presets', () => {
  it('lists your presets by name, newest version first, a page at a time', async () => {
    const owner = freshName('lister');
    for (const name of ['banner', 'avatar', 'banner', 'avatar', 'avatar']) {
      await savePreset({ name, outputs: THUMB_V1 }, owner);
    }

    expect(await refsOf({ name: 'avatar' }, owner)).toEqual(['avatar@3', 'avatar@2', 'avatar@1']);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const result: { data?: { presets: Page } } = await gql(
        setup.app.graphqlUrl, PRESETS, { first: 2, after }, owner);
      const presets = result.data?.presets;
      seen.push(...(presets?.edges.map((edge) => edge.node.ref) ?? []));
      if (!presets?.pageInfo.hasNextPage) break;
      after = presets.pageInfo.endCursor;
    }
    expect(seen).toEqual(['avatar@3', 'avatar@2', 'avatar@1', 'banner@2', 'banner@1']);

    const bad = await gql(setup.app.graphqlUrl, PRESETS, { after: 'nope' }, owner);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('owners', () => {
  it('keeps a preset from every other owner: reads, lists and jobs', async () => {
    const name = freshName('private');
    await savePreset({ name, outputs: THUMB_V1 }, 'alice');

    expect(await presetOf(name, 'mallory')).toBeNull();
    expect(await presetOf(`${name}@1`, 'mallory')).toBeNull();
    expect(await refsOf({ name }, 'mallory')).toEqual([]);
    expect(await refsOf({}, 'mallory')).not.toContain(`${name}@1`);
    expect(await createJobFrom({ preset: `${name}@1` }, 'mallory')).toEqual({
      __typename: 'PresetNotFoundError',
      ref: `${name}@1`,
      message: `you have no preset ${name}@1`,
    });

    // The same name is a preset of mallory's own, counted from 1.
    const own = await savePreset({ name, outputs: THUMB_V2 }, 'mallory');
    expect(own.version).toBe(1);
    expect((await presetOf(name, 'alice'))?.outputs.map((o) => o.id)).toEqual(['small']);
  });

  it('needs a caller', async () => {
    const result = await gql(setup.app.graphqlUrl, PRESET, { ref: 'thumbs' }, null);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('createJob from a preset', () => {
  it('reports an unknown preset or version with the ref given', async () => {
    const name = freshName('known');
    await savePreset({ name, outputs: THUMB_V1 });
    for (const ref of [`${name}@2`, freshName('unknown')]) {
      expect(await createJobFrom({ preset: ref })).toMatchObject({
        __typename: 'PresetNotFoundError',
        ref,
      });
    }
  });

  it('takes exactly one of outputs and preset, and a well-formed ref', async () => {
    const both = await createJobFrom({ preset: 'thumbs@1', outputs: THUMB_V1 });
    expect(both.issues).toEqual([
      {
        path: ['preset'],
        message: 'give outputs or a preset, not both',
        accepted: 'exactly one of outputs and preset',
        received: '"thumbs@1"',
      },
    ]);

    const neither = await createJobFrom({ webhookUrl: 'ftp://x' });
    expect(neither.issues?.map((issue) => issue.path)).toEqual([['outputs'], ['webhookUrl']]);

    for (const ref of ['thumbs@0', 'thumbs@', 'thumbs@1.5', 'Thumbs', '@1', 'a@1@2']) {
      const malformed = await createJobFrom({ preset: ref });
      expect(malformed.issues, ref).toEqual([
        expect.objectContaining({ path: ['preset'], received: JSON.stringify(ref) }),
      ]);
    }
  });

  it('still takes outputs alone, as before presets', async () => {
    const { job } = await createJob(setup.app.graphqlUrl, { outputs: THUMB_V1 });
    const result = await gql<{ job: { preset: string | null } }>(
      setup.app.graphqlUrl, JOB, { id: job.id });
    expect(result.data?.job.preset).toBeNull();
  });

  it('copies the outputs of the version named, which a later version never changes', async () => {
    const name = freshName('thumbs');
    await savePreset({ name, outputs: THUMB_V1, placeholders: true });
    const created = await createJobFrom({ preset: `${name}@1`, localSource: 'kodak/kodim03.png' });
    expect(created.job).toMatchObject({
      preset: `${name}@1`,
      requestedOutputs: [{ id: 'small', format: 'PNG', resize: { width: 64 } }],
    });
    const id = created.job?.id ?? '';

    expect((await savePreset({ name, outputs: THUMB_V2 })).version).toBe(2);

    const last = (await followAndStart(setup.app.graphqlUrl, id)).at(-1);
    expect(last?.status).toBe('SUCCEEDED');
    const result = await gql<{ job: Record<string, unknown> }>(setup.app.graphqlUrl, JOB, { id });
    expect(result.data?.job).toMatchObject({
      status: 'SUCCEEDED',
      preset: `${name}@1`,
      requestedOutputs: [{ id: 'small', format: 'PNG', resize: { width: 64 } }],
      // kodim03 is 768 × 512.
      outputs: [{ id: 'small', format: 'PNG', width: 64, height: 43 }],
      placeholder: { dominantColour: expect.stringMatching(/^#[0-9a-f]{6}$/) },
    });
  });

  it('resolves a name to its latest version when the job is created', async () => {
    const name = freshName('latest');
    await savePreset({ name, outputs: THUMB_V1 });
    await savePreset({ name, outputs: THUMB_V2 });
    const created = await createJobFrom({ preset: name, localSource: 'kodak/kodim03.png' });
    expect(created.job?.preset).toBe(`${name}@2`);
    await savePreset({ name, outputs: THUMB_V1 });

    const id = created.job?.id ?? '';
    expect((await followAndStart(setup.app.graphqlUrl, id)).at(-1)?.status).toBe('SUCCEEDED');
    const result = await gql<{ job: Record<string, unknown> }>(setup.app.graphqlUrl, JOB, { id });
    expect(result.data?.job).toMatchObject({
      preset: `${name}@2`,
      outputs: [
        { id: 'tiny', format: 'WEBP', width: 32, height: 21 },
        { id: 'medium', format: 'JPEG', width: 128, height: 85 },
      ],
      placeholder: null,
    });
  });

  it('lets the job override the preset\'s placeholder setting', async () => {
    const name = freshName('quiet');
    await savePreset({ name, outputs: THUMB_V1, placeholders: true });
    const created = await createJobFrom({
      preset: name,
      placeholders: false,
      localSource: 'kodak/kodim03.png',
    });
    const id = created.job?.id ?? '';
    expect((await followAndStart(setup.app.graphqlUrl, id)).at(-1)?.status).toBe('SUCCEEDED');
    const result = await gql<{ job: Record<string, unknown> }>(setup.app.graphqlUrl, JOB, { id });
    expect(result.data?.job).toMatchObject({ placeholder: null });
  });

  it('holds a preset saved under larger limits to the limits of today', async () => {
    const name = freshName('wide');
    await savePreset({ name, outputs: THUMB_V2 });
    const strict = await startTestApp(setup.environment, { MAX_OUTPUTS_PER_JOB: '1' });
    try {
      const result = await gql<{ createJob: CreateResult }>(
        strict.graphqlUrl, CREATE_JOB, { input: { preset: name } });
      expect(result.data?.createJob.issues).toEqual([
        {
          path: ['preset'],
          message: 'the preset has more outputs than a job may have now',
          accepted: 'at most 1 outputs',
          received: '2',
        },
      ]);
    } finally {
      await strict.close();
    }
  });
});
