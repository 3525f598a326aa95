/**
 * The lanes: what load each one puts on a target and what it reads back. Request lanes
 * (closed loop, wrk or the Bun client) give throughput, latency and the target's CPU per
 * request from /proc; the paced lane gives time to first byte and gaps between chunks; the
 * capacity lane opens more and more paced streams at once.
 */
import type { ClosedResult, LoadSpec, RequestSpec, StreamResult } from './load-client'
import type { MockFormat } from './mock-wire'
import { cpuMicros, pinned, rssBytes, sampleRss } from './processes'
import { runWrk } from './wrk'

export interface RequestLane {
  id: string
  kind: 'closed' | 'paced'
  stream: boolean
  connections: number
}

export const REQUEST_LANES: RequestLane[] = [
  { id: 'json-c1', kind: 'closed', stream: false, connections: 1 },
  { id: 'json-c32', kind: 'closed', stream: false, connections: 32 },
  { id: 'json-c128', kind: 'closed', stream: false, connections: 128 },
  { id: 'stream-c32', kind: 'closed', stream: true, connections: 32 },
  { id: 'stream-c128', kind: 'closed', stream: true, connections: 128 },
  // 32 streams at a time: ~400 streams and ~8,000 gaps per 5 s round. The TTFB percentiles pool
  // every round's streams (report.ts); with 128 at a time the load's own core saturated instead
  // (the direct target's TTFB p99 went 3 → 10 ms).
  { id: 'paced', kind: 'paced', stream: true, connections: 32 },
]

/** Chunks of a zero-delay or paced stream in the request lanes. */
export const STREAM_CHUNKS = 20

export interface RequestShape {
  format: MockFormat
  stream: boolean
  chunks?: number
  paceMs?: number
}

const PROMPT = [{ role: 'user', content: 'Say hello in one short sentence, please.' }]

/** The request a real SDK would send, in the chosen wire format, aimed at `baseUrl`. */
export function buildRequest(baseUrl: string, shape: RequestShape, extraHeaders: Record<string, string> = {}): RequestSpec {
  const query = shape.stream ? `?chunks=${shape.chunks ?? STREAM_CHUNKS}${shape.paceMs ? `&pace=${shape.paceMs}` : ''}` : ''
  if (shape.format === 'openai') {
    const body = { model: 'gpt-4o-mini', messages: PROMPT, ...(shape.stream ? { stream: true, stream_options: { include_usage: true } } : {}) }
    return {
      url: `${baseUrl}/v1/chat/completions${query}`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-key', ...extraHeaders },
      body: JSON.stringify(body),
    }
  }
  const body = { model: 'claude-sonnet-4-5', max_tokens: 256, messages: PROMPT, ...(shape.stream ? { stream: true } : {}) }
  return {
    url: `${baseUrl}/v1/messages${query}`,
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-bench-not-a-key', 'anthropic-version': '2023-06-01', 'x-provider': 'anthropic', ...extraHeaders },
    body: JSON.stringify(body),
  }
}

export interface LoadContext {
  load: 'wrk' | 'bun'
  loadCpus?: string
  workDir: string
}

/** Runs the Bun load client in its own process, pinned with the mock, and returns its result. */
export async function runLoadClient<T extends ClosedResult | StreamResult>(spec: LoadSpec, context: LoadContext): Promise<T> {
  const argv = pinned([process.execPath, `${import.meta.dir}/load-client.ts`, JSON.stringify(spec)], context.loadCpus)
  const proc = Bun.spawn(argv, { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: '16384' } })
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  if ((await proc.exited) !== 0) throw new Error(`load client failed: ${stderr.slice(0, 500)}`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T
}

export type Metrics = Record<string, number>

/** Raw samples a lane keeps, for percentiles over all its rounds: time to first byte in µs. */
export interface Samples {
  ttfbUs: number[]
}

export interface LaneResult {
  metrics: Metrics
  samples?: Samples
}

/** One request lane against one target: the lane's numbers plus CPU per request of `pid`. */
export async function runRequestLane(lane: RequestLane, request: RequestSpec, pid: number | undefined, durationMs: number, paceMs: number, context: LoadContext): Promise<LaneResult> {
  const cpuBefore = pid === undefined ? 0 : await cpuMicros(pid)
  if (lane.kind === 'paced') {
    const result = await runLoadClient<StreamResult>({ mode: 'paced', request, connections: lane.connections, durationMs, stallMs: paceMs * 10, spreadMs: STREAM_CHUNKS * paceMs, paceMs }, context)
    if (result.failed > 0) throw new Error(`${result.failed} of ${result.streams} streams failed: ${result.firstError}`)
    const metrics = {
      streams: result.streams,
      ttfbP50: result.ttfbMs.p50,
      ttfbP99: result.ttfbMs.p99,
      gapMean: result.gapMs.mean,
      gapJitter: result.gapJitterMs ?? Number.NaN,
      gapP50: result.gapMs.p50,
      gapP99: result.gapMs.p99,
      gapMax: result.gapMs.max,
      stalls: result.stalls,
    }
    return { metrics, samples: { ttfbUs: result.ttfbSamplesUs ?? [] } }
  }
  const result =
    context.load === 'wrk'
      ? await runWrk({ request, connections: lane.connections, durationMs, cpus: context.loadCpus, scriptDir: context.workDir })
      : await runLoadClient<ClosedResult>({ mode: 'closed', request, connections: lane.connections, durationMs }, context)
  const cpuAfter = pid === undefined ? 0 : await cpuMicros(pid)
  if (result.requests === 0 || result.errors > result.requests / 100) {
    throw new Error(`${result.errors} errors for ${result.requests} good answers`)
  }
  const metrics = {
    requests: result.requests,
    rps: result.requests / (result.durationMs / 1000),
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    errors: result.errors,
    ...(pid === undefined ? {} : { cpuUsPerRequest: (cpuAfter - cpuBefore) / result.requests }),
  }
  return { metrics }
}

/** `streams` paced streams opened over half a second against one target, with its peak RSS meanwhile. */
export async function runCapacityStep(streams: number, request: RequestSpec, pid: number | undefined, paceMs: number, context: LoadContext): Promise<{ metrics: Metrics; error?: string }> {
  const sampler = pid === undefined ? undefined : sampleRss(pid)
  const result = await runLoadClient<StreamResult>({ mode: 'burst', request, streams, rampMs: 500, stallMs: paceMs * 10 }, context)
  const peakRss = (await sampler?.stop()) ?? Number.NaN
  const metrics = {
    ok: result.failed === 0 && result.stalls === 0 ? 1 : 0,
    failed: result.failed,
    stalls: result.stalls,
    ttfbP99: result.ttfbMs.p99,
    gapMax: result.gapMs.max,
    peakRssMb: peakRss / 2 ** 20,
  }
  return result.firstError === undefined ? { metrics } : { metrics, error: result.firstError }
}

export async function rssMb(pid: number | undefined): Promise<number> {
  return pid === undefined ? Number.NaN : (await rssBytes(pid)) / 2 ** 20
}
