import type { BenchResults } from './results.ts';
import type { WholePathResult } from './whole-path.ts';

const n = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);

const otherCores = (r: WholePathResult) => n(r.usage.otherCpuMs / 1000 / r.usage.seconds, 2);

function pathRow(name: string, r: WholePathResult, ceilingRatio: number | null): string {
  const l = r.startToTerminalMs;
  return `| ${name} | ${n(r.jobsPerSecond, 2)} jobs/s, ${n(r.megapixelsPerSecond)} MP/s ` +
    `| ${n(ceilingRatio, 2)} | ${n(l.p50, 0)} / ${n(l.p95, 0)} / ${n(l.p99, 0)} ms ` +
    `| ${n(r.serverCpuMsPerJob)} ms (storage ${n(r.cpuMsPerJob.storage)}, ` +
    `client ${n(r.cpuMsPerJob.client)} ms) ` +
    `| ${n(r.usage.replicaPeakRssMiB, 0)} MiB | ${r.jobs} jobs, ${r.clients} clients, ` +
    `${r.failed} failed |`;
}

/** The markdown table of one run: the README's Performance section quotes it. */
export function renderMarkdown(results: BenchResults): string {
  const { machine: m, ceiling, phases: p, queue: q, ratios } = results;
  const best = ceiling.photo.best;
  const pi = ceiling.photo.processImage;
  const tiny = p.tiny;
  const threads = Object.entries(tiny.usage.replicaThreadsCpuMs)
    .map(([name, ms]) => `${name} ${n(ms / tiny.jobs, 2)}`)
    .join(', ');
  const lines = [
    `Run of ${results.startedAt} (${n(results.durationSeconds, 0)} s` +
      `${results.smoke ? ', SMOKE: counts too small to quote' : ''}): \`${results.command}\``,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, ` +
      `Node ${m.node}, sharp ${m.sharp}, libvips ${m.libvips}; ` +
      `load average at start ${m.loadAverage1m}.`,
    '',
    `Code: ${results.revision.commit.slice(0, 12)}` +
      (results.revision.uncommitted.length > 0
        ? ` plus uncommitted changes (${results.revision.uncommitted.join('; ')}).`
        : ', no uncommitted changes.'),
    '',
    '| what | throughput | ÷ ceiling | startJob → terminal event p50 / p95 / p99 ' +
      '| server CPU per job (replica + Postgres + Redis) | peak RSS | run |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| **ceiling**: raw sharp, photos (${best.label}) | ${n(best.jobsPerSecond, 2)} jobs/s, ` +
      `${n(best.megapixelsPerSecond)} MP/s | 1.00 | – | ${n(best.cpuMsPerJob)} ms | ` +
      `${n(best.peakRssMiB, 0)} MiB | ${best.jobs} jobs |`,
    pi ? `| processImage in-thread, photos (${pi.label}) | ${n(pi.jobsPerSecond, 2)} jobs/s, ` +
      `${n(pi.megapixelsPerSecond)} MP/s | ${n(ratios.processImageToCeiling, 2)} | – | ` +
      `${n(pi.cpuMsPerJob)} ms | ${n(pi.peakRssMiB, 0)} MiB | ${pi.jobs} jobs |` : '',
    pathRow('**PixelFlow whole path**, photos', p.photo, ratios.wholePathToCeiling),
    `| ceiling: raw sharp, AVIF 720 (${ceiling.avif.best.label}) | ` +
      `${n(ceiling.avif.best.jobsPerSecond, 2)} jobs/s | 1.00 | – | ` +
      `${n(ceiling.avif.best.cpuMsPerJob)} ms | ${n(ceiling.avif.best.peakRssMiB, 0)} MiB | ` +
      `${ceiling.avif.best.jobs} jobs |`,
    pathRow('PixelFlow whole path, AVIF 720', p.avif, ratios.avifWholePathToCeiling),
    pathRow('PixelFlow whole path, 1×1 PNG (orchestration)', tiny, null),
    pathRow('PixelFlow, burst of 24 MP photos', p.largeBurst, null),
    `| raw sharp, same 24 MP burst (${ceiling.largeBurst.label}) | ` +
      `${n(ceiling.largeBurst.jobsPerSecond, 2)} jobs/s | – | – | ` +
      `${n(ceiling.largeBurst.cpuMsPerJob)} ms | ${n(ceiling.largeBurst.peakRssMiB, 0)} MiB | ` +
      `${ceiling.largeBurst.jobs} jobs |`,
    '',
    `Orchestration CPU per 1×1 job: replica ${n(tiny.cpuMsPerJob.replica, 2)} ms ` +
      `(by thread: ${threads}), Postgres ${n(tiny.cpuMsPerJob.postgres, 2)} ms, ` +
      `Redis ${n(tiny.cpuMsPerJob.redis, 2)} ms; the object store (its own process, as S3 ` +
      `would be) ${n(tiny.cpuMsPerJob.storage, 2)} ms; ` +
      `the client used ${n(tiny.cpuMsPerJob.client, 2)} ms. ` +
      `Client wall time per step: createJob ${n(tiny.stepsMeanMs.create)} ms, ` +
      `upload ${n(tiny.stepsMeanMs.upload)} ms, subscribe ${n(tiny.stepsMeanMs.subscribe)} ms, ` +
      `startJob ${n(tiny.stepsMeanMs.startJob)} ms.`,
    '',
    `Other work on the machine (busy CPU outside the replica, Postgres, Redis and this ` +
      `benchmark), in cores: photos ${otherCores(p.photo)}, AVIF ${otherCores(p.avif)}, ` +
      `1×1 ${otherCores(tiny)}, 24 MP burst ${otherCores(p.largeBurst)}; ` +
      `raw-sharp ceiling ${n(best.otherCores, 2)}, processImage ${n(pi?.otherCores, 2)}, ` +
      `AVIF ceiling ${n(ceiling.avif.best.otherCores, 2)}. Above ~0.1 core the ratios are not ` +
      `trustworthy (outside --smoke a ceiling run is taken again, up to 3 times, until it is ` +
      `under 0.1).`,
    '',
    `CPU-bound ratios (ceiling CPU per job ÷ CPU per job: the ratio both would reach ` +
      `saturating an idle machine): processImage ${n(ratios.processImageCpuRatio, 2)}, ` +
      `whole path ${n(ratios.wholePathCpuRatio, 2)}.`,
    '',
    '| queue (no-op jobs, same Redis) | add jobs/s | process jobs/s | client CPU/job ' +
      '| Redis CPU/job |',
    '|---|---:|---:|---:|---:|',
    `| PixelFlow leased list | ${n(q.leasedList.addJobsPerSecond, 0)} | ` +
      `${n(q.leasedList.processJobsPerSecond, 0)} | ${n(q.leasedList.clientCpuMsPerJob, 3)} ms | ` +
      `${n(q.leasedList.redisCpuMsPerJob, 3)} ms |`,
    `| BullMQ ${q.bullmqVersion} | ${n(q.bullmq.addJobsPerSecond, 0)} | ` +
      `${n(q.bullmq.processJobsPerSecond, 0)} | ${n(q.bullmq.clientCpuMsPerJob, 3)} ms | ` +
      `${n(q.bullmq.redisCpuMsPerJob, 3)} ms |`,
    `| ratio (${q.run.jobs} jobs, concurrency ${q.run.concurrency}) | | ${n(q.ratio, 2)} | | |`,
    '',
    '| createJob (autocannon) | achieved req/s | p50 | p99 | max ' +
      '| errors (conn / timeout / non-2xx / GraphQL) | replica CPU/req |',
    '|---|---:|---:|---:|---:|---|---:|',
    ...p.api.map((s) =>
      `| ${s.targetRate} req/s for ${s.seconds} s | ${n(s.achievedRate)} | ${s.p50Ms} ms | ` +
      `${s.p99Ms} ms | ${s.maxMs} ms | ${s.errors.connection} / ${s.errors.timeouts} / ` +
      `${s.errors.non2xx} / ${s.errors.graphql} | ${n(s.replicaCpuMsPerRequest, 2)} ms |`),
    '',
    ...subscriberLines(results),
    '',
    '| goal | target | measured | met |',
    '|---|---|---:|:--:|',
    ...results.goals.map(
      (g) => `| ${g.name} | ${g.target} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return `${lines.filter((line, i) => line !== '' || lines[i - 1] !== '').join('\n')}\n`;
}

function subscriberLines(results: BenchResults): string[] {
  const s = results.phases.subscribers;
  const d = s.deliveryMs;
  return [
    '| subscribers | RSS per subscriber | delivery p50 / p95 / p99 / max | SSE p99 | WS p99 ' +
      '| incomplete |',
    '|---|---:|---:|---:|---:|---:|',
    `| ${s.subscribers.sse} SSE + ${s.subscribers.ws} WS on ${s.jobs} jobs | ` +
      `${n(s.rssPerSubscriberKiB)} KiB | ${d.p50} / ${d.p95} / ${d.p99} / ${d.max} ms | ` +
      `${d.sse.p99} ms | ${d.ws.p99} ms | ${s.incomplete} |`,
  ];
}
