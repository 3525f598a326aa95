/**
 * The exporter's throughput target: a sustained 20,000 records/s into the buffer without drops
 * while the sink keeps up. The real exporter (`createExporter`) with the real Elasticsearch sink
 * and client, at the gateway's default settings, fed realistic records (a chat request and its
 * answer) at a steady rate, paced per millisecond tick. The sink talks either to the mock
 * provider's `_bulk` stand-in (`scripts/bench/mock-provider.ts`, its own process) or to a real
 * node (`--elasticsearch URL`, credentials may be embedded). CPU per record is this process's
 * (`process.cpuUsage()`): serializing and pushing, batching, compressing, sending, reading answers.
 *
 *   bun scripts/bench/exporter-throughput.ts [--rate N] [--seconds S] [--elasticsearch URL]
 *       [--batch-size N] [--flush-interval-ms MS] [--concurrent-requests N] [--capacity N]
 *
 * Exits 1 when a record was dropped or the pushes fell below 95% of the target rate.
 * Not part of `npm test`: timings depend on the machine.
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../../src/config/load-config'
import { createLogger } from '../../src/logger'
import { indexNameFor, toBulkEntry, type BulkEntry } from '../../src/telemetry/bulk-entry'
import { createElasticsearchClient } from '../../src/telemetry/elasticsearch-client'
import { setUpIndex } from '../../src/telemetry/elasticsearch-setup'
import { createElasticsearchSink } from '../../src/telemetry/elasticsearch-sink'
import { createExporter, type ExportSink } from '../../src/telemetry/exporter'
import { redactUrlCredentials } from '../../src/telemetry/redact-url-credentials'
import type { RequestRecord } from '../../src/telemetry/request-record'
import { sampleRecord } from '../../test/support/sample-record'
import { cpuMicros, freePort, start, stopAll, waitUntilListening, type Child } from './processes'

/** The gateway's own flush deadline at shutdown (`TELEMETRY_FLUSH_TIMEOUT_MS` in src/main.ts). */
const SHUTDOWN_TIMEOUT_MS = 10_000
/** Distinct payloads: more than a gzip window (32 KiB) of them, so compression sees no easy repeats. */
const TEMPLATES = 64
const MIN_PUSH_RATIO = 0.95

const USAGE = `bun scripts/bench/exporter-throughput.ts [options]

  --rate N                records per second pushed into the exporter (default 20000)
  --seconds S             how long to push (default 10)
  --elasticsearch URL     a real node (e.g. the last line of scripts/elasticsearch/start.sh);
                          default: the mock provider's _bulk stand-in, started here
  --batch-size N          default ELASTICSEARCH_BATCH_SIZE's default
  --flush-interval-ms MS  default ELASTICSEARCH_FLUSH_INTERVAL_MS's default
  --concurrent-requests N default ELASTICSEARCH_CONCURRENT_REQUESTS's default
  --capacity N            default TELEMETRY_BUFFER_CAPACITY's default
`

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    elasticsearch: { type: 'string' },
    'batch-size': { type: 'string' },
    'flush-interval-ms': { type: 'string' },
    'concurrent-requests': { type: 'string' },
    capacity: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}

const loaded = loadConfig({ ENABLE_ELASTICSEARCH: 'true' })
if (!loaded.ok) throw new Error(`default configuration does not load: ${loaded.errors.join('; ')}`)
const defaults = { ...loaded.config.telemetry.elasticsearch!, bufferCapacity: loaded.config.telemetry.bufferCapacity }
const positive = (name: string, raw: string | undefined, fallback: number) => {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`)
  return value
}
const rate = positive('rate', values.rate, 20_000)
const seconds = positive('seconds', values.seconds, 10)
const batchSize = positive('batch-size', values['batch-size'], defaults.batchSize)
const flushIntervalMs = positive('flush-interval-ms', values['flush-interval-ms'], defaults.flushIntervalMs)
const concurrency = positive('concurrent-requests', values['concurrent-requests'], defaults.concurrentRequests)
const capacity = positive('capacity', values.capacity, defaults.bufferCapacity)

// ---- realistic records ------------------------------------------------------------------

const WORDS = 'the a of to and in that is for it with as on be at by this from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(' ')

/** A plausible record: a system prompt, two turns and the answer of a chat completion. */
function templateRecord(seed: number): RequestRecord {
  let state = seed * 2654435761 + 1
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648)
  const sentence = (words: number) => Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ') + '.'
  const text = (sentences: number) => Array.from({ length: sentences }, () => sentence(8 + Math.floor(random() * 12))).join(' ')
  const request = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: `You are a support assistant for an online shop. ${text(3)}` },
      { role: 'user', content: text(4) },
      { role: 'assistant', content: text(3) },
      { role: 'user', content: text(2) },
    ],
    temperature: 0.7,
    max_tokens: 512,
  }
  const answer = text(6)
  const input = 180 + Math.floor(random() * 120)
  const output = 90 + Math.floor(random() * 60)
  const response = {
    id: `chatcmpl-${seed.toString(36).padStart(8, '0')}`,
    object: 'chat.completion',
    created: 1_732_700_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    system_fingerprint: 'fp_bench',
  }
  const requestSize = JSON.stringify(request).length
  const responseSize = JSON.stringify(response).length
  return sampleRecord({
    attributes: { thread_id: `thread-${seed}`, org_id: 'org-bench', user_id: `user-${seed % 7}`, project_id: 'project-bench', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', request, response },
    metadata: {
      project_id: 'project-bench',
      project_name: 'Bench',
      latency: 420 + seed,
      tokens: { input, output, total: input + output, cached_input: 0, cache_write_input: null, reasoning: 0 },
      cost: (input * 0.15 + output * 0.6) / 1e6,
      request_size: requestSize,
      response_size: responseSize,
      provider_latency: 400 + seed,
      gateway_overhead_ms: 0.35,
      finish_reason: 'stop',
      finish_reason_raw: 'stop',
    },
  })
}

const templates = Array.from({ length: TEMPLATES }, (_, i) => templateRecord(i + 1))
const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
let sequence = 0

/** A new record as the gateway emits it: its own id and the current time, payloads as in the template. */
function nextRecord(): RequestRecord {
  const template = templates[sequence % TEMPLATES]!
  const id = `${runId}-${sequence++}`
  return { ...template, timestamp: new Date().toISOString(), attributes: { ...template.attributes, id } }
}

/** The stand-in (a child process) is stopped on every way out, a failed run included. */
process.exit(await run().finally(stopAll))

async function run(): Promise<number> {
  // ---- the sink ---------------------------------------------------------------------------

  /** The exporter's warnings, kept for the report: under overload it logs once per batch. */
  const logLines: string[] = []
  const logger = createLogger('warn', (line) => void logLines.push(line))
  let standIn: Child | undefined
  let url: string
  let username: string | undefined
  let password: string | undefined
  if (values.elasticsearch !== undefined) {
    const parsed = new URL(values.elasticsearch)
    username = decodeURIComponent(parsed.username) || undefined
    password = decodeURIComponent(parsed.password) || undefined
    url = parsed.origin
  } else {
    const port = freePort()
    url = `http://127.0.0.1:${port}`
    standIn = start({ name: 'elasticsearch stand-in', argv: [process.execPath, new URL('./mock-provider.ts', import.meta.url).pathname], env: { PORT: String(port) } })
    await waitUntilListening(`${url}/health`, standIn)
  }
  const client = createElasticsearchClient({ url, username, password, requestTimeoutMs: defaults.requestTimeoutMs })
  const indexPattern = `ai-gateway-bench-${runId}-{yyyy.MM.dd}`
  // A real node gets the gateway's index template first (its mapping decides the indexing work).
  const setUp = standIn === undefined ? await setUpIndex(client, { index: indexPattern, retentionDays: 1 }, logger) : undefined

  async function documentsAtSink(): Promise<number> {
    if (standIn !== undefined) return ((await (await fetch(`${url}/__stats`)).json()) as { elasticsearchDocuments: number }).elasticsearchDocuments
    const index = `${indexPattern.slice(0, indexPattern.indexOf('{'))}*`
    await client.indices.refresh({ index })
    return (await client.count({ index })).count
  }

  // ---- the run ----------------------------------------------------------------------------

  const recordBytes = templates.reduce((sum, t) => sum + JSON.stringify(t).length, 0) / TEMPLATES
  // What building a record costs here (not the exporter's work): measured apart, reported apart.
  const buildStart = process.cpuUsage()
  for (let i = 0; i < 50_000; i++) nextRecord()
  const buildMicros = cpuTotal(process.cpuUsage(buildStart)) / 50_000
  sequence = 0

  const documentsBefore = await documentsAtSink()
  const standInCpuBefore = standIn === undefined ? 0 : await cpuMicros(standIn.pid)
  const sink = createElasticsearchSink(client)
  /** Wall time of each bulk request, to tell a slow sink from a slow exporter. */
  const sends: Array<{ ms: number; records: number }> = []
  const timedSink: ExportSink<BulkEntry> = {
    async send(batch) {
      const began = performance.now()
      try {
        return await sink.send(batch)
      } finally {
        sends.push({ ms: performance.now() - began, records: batch.length })
      }
    },
  }
  const exporter = createExporter<BulkEntry>({ sink: timedSink, capacity, batchSize, flushIntervalMs, concurrency, logger })

  const total = Math.round(rate * seconds)
  const perSecond: number[] = new Array(Math.max(1, Math.ceil(seconds))).fill(0)
  let pushed = 0
  let maxQueued = 0
  let maxTickGapMs = 0
  let ticks = 0
  const cpuStart = process.cpuUsage()
  const startedAt = performance.now()
  let lastTick = startedAt
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      ticks++
      maxTickGapMs = Math.max(maxTickGapMs, now - lastTick)
      lastTick = now
      const elapsed = now - startedAt
      const due = Math.min(total, Math.floor((rate * elapsed) / 1000))
      const second = Math.min(Math.floor(elapsed / 1000), perSecond.length - 1)
      perSecond[second]! += Math.max(0, due - pushed)
      while (pushed < due) {
        // Serialised at the push, as the gateway does when a request ends.
        exporter.push(toBulkEntry(nextRecord(), indexPattern))
        pushed++
      }
      maxQueued = Math.max(maxQueued, exporter.stats().queued)
      if (pushed >= total) resolve()
      else setTimeout(tick, 1)
    }
    setTimeout(tick, 1)
  })
  const pushSeconds = (performance.now() - startedAt) / 1000
  const duringPush = exporter.stats()
  const final = await exporter.shutdown(SHUTDOWN_TIMEOUT_MS)
  const drainedSeconds = (performance.now() - startedAt) / 1000
  const cpu = cpuTotal(process.cpuUsage(cpuStart))
  const standInCpu = standIn === undefined ? 0 : (await cpuMicros(standIn.pid)) - standInCpuBefore
  const atSink = (await documentsAtSink()) - documentsBefore

  if (standIn === undefined) {
    await client.indices.delete({ index: `${indexPattern.slice(0, indexPattern.indexOf('{'))}*` }).catch(() => {})
    await client.indices.deleteIndexTemplate({ name: setUp!.template }).catch(() => {})
    if (setUp!.policy !== null) await client.ilm.deleteLifecycle({ name: setUp!.policy }).catch(() => {})
  }
  await client.close()

  // ---- the report -------------------------------------------------------------------------

  const pushRate = pushed / pushSeconds
  const accepted = pushed - duringPush.dropped
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const sendMs = sends.map((x) => x.ms).sort((a, b) => a - b)
  const fullSeconds = perSecond.slice(0, Math.max(1, Math.floor(seconds)))
  const sinkName = standIn === undefined ? `Elasticsearch at ${redactUrlCredentials(values.elasticsearch!)} (index ${indexNameFor(indexPattern, new Date().toISOString())}, the gateway's index template; deleted after)` : 'the mock provider\'s _bulk stand-in (own process)'
  const checks = [
    { what: 'no record dropped', ok: final.dropped === 0 },
    { what: `push rate ≥ ${MIN_PUSH_RATIO * 100}% of ${fmt(rate)}/s`, ok: pushRate >= MIN_PUSH_RATIO * rate },
  ]
  const lines = [
    `## Exporter throughput: ${fmt(rate)} records/s for ${fmt(seconds, seconds % 1 === 0 ? 0 : 1)} s`,
    '',
    `Sink: ${sinkName}. Batch size ${fmt(batchSize)}, flush interval ${fmt(flushIntervalMs)} ms, ${fmt(concurrency)} bulk request(s) at a time, capacity ${fmt(capacity)}, shutdown deadline ${fmt(SHUTDOWN_TIMEOUT_MS)} ms.`,
    `Records: ${TEMPLATES} chat payloads (4 messages, one answer), ${fmt(recordBytes)} bytes of JSON each on average. Bun ${Bun.version}.`,
    '',
    '| | |',
    '|---|---:|',
    `| offered (target) | ${fmt(rate)} records/s |`,
    `| pushed | ${fmt(pushed)} in ${fmt(pushSeconds, 2)} s = ${fmt(pushRate)} records/s |`,
    `| pushed per whole second, min / max | ${fmt(Math.min(...fullSeconds))} / ${fmt(Math.max(...fullSeconds))} |`,
    `| accepted (pushed − dropped while pushing) | ${fmt(accepted)} = ${fmt(accepted / pushSeconds)} records/s |`,
    `| exported | ${fmt(final.exported)} (all done ${fmt(drainedSeconds, 2)} s after the first push) |`,
    `| dropped | ${fmt(final.dropped)} |`,
    `| failed (refused by the sink) | ${fmt(final.failed)} |`,
    `| retried | ${fmt(final.retried)} |`,
    `| documents the sink counted | ${fmt(atSink)} |`,
    `| bulk requests: count / records each (mean) / ms each (join, gzip, round trip) p50, p90, max | ${fmt(sends.length)} / ${fmt(mean(sends.map((x) => x.records)))} / ${fmt(quantile(sendMs, 0.5), 1)}, ${fmt(quantile(sendMs, 0.9), 1)}, ${fmt(sendMs.at(-1) ?? 0, 1)} |`,
    `| max queue depth (of ${fmt(capacity)}) | ${fmt(maxQueued)} |`,
    `| pacer ticks / longest gap between ticks | ${fmt(ticks)} / ${fmt(maxTickGapMs, 1)} ms |`,
    `| CPU of this process per record pushed / exported (push to drained) | ${fmt(cpu / pushed, 2)} / ${fmt(cpu / Math.max(1, final.exported), 2)} µs (${fmt(cpu / 1e6, 2)} s in all) |`,
    `| of which building the record (measured apart) | ${fmt(buildMicros, 2)} µs |`,
    ...(standIn === undefined ? [] : [`| CPU of the stand-in per record | ${fmt(standInCpu / pushed, 2)} µs |`]),
    `| warnings logged (index set-up and exporter) | ${fmt(logLines.length)} |`,
    '',
    ...checks.map((c) => `- ${c.ok ? 'PASS' : 'FAIL'}: ${c.what}`),
    '',
  ]
  if (logLines.length > 0) process.stderr.write(`first exporter log lines of ${logLines.length}:\n${logLines.slice(0, 4).join('\n')}\n`)
  process.stdout.write(lines.join('\n'))
  return checks.every((c) => c.ok) ? 0 : 1
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

function cpuTotal(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system
}
