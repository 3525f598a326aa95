/**
 * The benchmark's own load generator, for what wrk cannot measure (time to first byte,
 * gaps between stream chunks, thousands of paced streams) and as the fallback when wrk is
 * not installed. It runs in its own process, pinned apart from the target, and prints one
 * JSON result line. Its own CPU competes with the target's on a small machine: prefer wrk.
 *
 *   bun scripts/bench/load-client.ts '<LoadSpec as JSON>'
 */
import { summarize, type Summary } from './stats'

export interface RequestSpec {
  url: string
  headers: Record<string, string>
  body: string
}

export type LoadSpec =
  /** Closed loop: `connections` workers send back to back for `durationMs`. */
  | { mode: 'closed'; request: RequestSpec; connections: number; durationMs: number }
  /**
   * Closed loop of paced streams: arrival time of every chunk. The workers' first streams start
   * `spreadMs` apart in all (one stream's length keeps them out of step for the whole run).
   */
  | { mode: 'paced'; request: RequestSpec; connections: number; durationMs: number; stallMs: number; spreadMs: number; paceMs: number }
  /** `streams` paced streams opened within `rampMs`, each read to its end. */
  | { mode: 'burst'; request: RequestSpec; streams: number; rampMs: number; stallMs: number }

export interface ClosedResult {
  requests: number
  errors: number
  durationMs: number
  latencyMs: Summary
}

export interface StreamResult {
  streams: number
  /** Streams that failed, answered non-2xx or ended without their final event. */
  failed: number
  /** Waits longer than `stallMs`: for the first byte, or between two chunks. */
  stalls: number
  durationMs: number
  ttfbMs: Summary
  gapMs: Summary
  /**
   * Paced mode: the mean distance of a gap from the pace, |gap − pace|. Unlike the gaps' mean
   * (the stream's length over its gaps, whatever happens in between) it grows with any delay a
   * target adds to some chunks and not others; unlike their median it does not jump between
   * the 1 ms clusters the mock's pacing timer makes.
   */
  gapJitterMs?: number
  /** Every time to first byte, in µs (paced mode): the runner pools them across rounds. */
  ttfbSamplesUs?: number[]
  firstError?: string
}

const FINAL_EVENTS = ['[DONE]', 'message_stop'].map((marker) => new TextEncoder().encode(marker))

async function closed(spec: Extract<LoadSpec, { mode: 'closed' }>): Promise<ClosedResult> {
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const deadline = started + spec.durationMs
  const worker = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now()
      try {
        const response = await fetch(spec.request.url, { method: 'POST', headers: spec.request.headers, body: spec.request.body })
        await response.arrayBuffer()
        if (response.ok) latencies.push(performance.now() - sent)
        else errors++
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: spec.connections }, worker))
  return { requests: latencies.length, errors, durationMs: performance.now() - started, latencyMs: summarize(latencies) }
}

interface StreamTally {
  ttfb: number[]
  gaps: number[]
  failed: number
  stalls: number
  firstError?: string
}

/** Reads one stream, noting when each chunk arrived; never throws. */
async function readStream(request: RequestSpec, stallMs: number, tally: StreamTally): Promise<void> {
  const sent = performance.now()
  try {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body })
    if (!response.ok || response.body === null) throw new Error(`status ${response.status}: ${(await response.text()).slice(0, 200)}`)
    const reader = response.body.getReader()
    let last = sent
    let lastChunk: Uint8Array | undefined
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const now = performance.now()
      if (lastChunk === undefined) {
        tally.ttfb.push(now - sent)
        // A stream that waits as long for its first byte is as stalled as one that waits between two.
        if (now - sent > stallMs) tally.stalls++
      } else {
        tally.gaps.push(now - last)
        if (now - last > stallMs) tally.stalls++
      }
      last = now
      lastChunk = value
    }
    if (lastChunk === undefined || !FINAL_EVENTS.some((marker) => contains(lastChunk!, marker))) throw new Error('stream ended without its final event')
  } catch (error) {
    tally.failed++
    tally.firstError ??= error instanceof Error ? error.message : String(error)
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

function streamResult(tally: StreamTally, streams: number, started: number): StreamResult {
  return {
    streams,
    failed: tally.failed,
    stalls: tally.stalls,
    durationMs: performance.now() - started,
    ttfbMs: summarize(tally.ttfb),
    gapMs: summarize(tally.gaps),
    ...(tally.firstError !== undefined ? { firstError: tally.firstError } : {}),
  }
}

async function paced(spec: Extract<LoadSpec, { mode: 'paced' }>): Promise<StreamResult> {
  const tally: StreamTally = { ttfb: [], gaps: [], failed: 0, stalls: 0 }
  const started = performance.now()
  const deadline = started + spec.durationMs
  let streams = 0
  // Workers that start together stay in step, since every stream lasts as long: each round of
  // 32 arrivals then queues behind itself, and a TTFB p99 measures that queue (31 times the
  // target's CPU per request) rather than what the target adds to one stream.
  const worker = async (_: unknown, index: number) => {
    await Bun.sleep((index * spec.spreadMs) / spec.connections)
    while (performance.now() < deadline) {
      streams++
      await readStream(spec.request, spec.stallMs, tally)
    }
  }
  await Promise.all(Array.from({ length: spec.connections }, worker))
  let off = 0
  for (const gap of tally.gaps) off += Math.abs(gap - spec.paceMs)
  const gapJitterMs = tally.gaps.length === 0 ? Number.NaN : off / tally.gaps.length
  return { ...streamResult(tally, streams, started), gapJitterMs, ttfbSamplesUs: tally.ttfb.map((ms) => Math.round(ms * 1000)) }
}

async function burst(spec: Extract<LoadSpec, { mode: 'burst' }>): Promise<StreamResult> {
  const tally: StreamTally = { ttfb: [], gaps: [], failed: 0, stalls: 0 }
  const started = performance.now()
  const open: Promise<void>[] = []
  // Spread the opening over the ramp: a connect storm of thousands in one tick measures the kernel's backlog, not the proxy.
  const perMs = spec.streams / Math.max(1, spec.rampMs)
  for (let i = 0; i < spec.streams; i++) {
    const due = started + i / perMs
    const wait = due - performance.now()
    if (wait >= 1) await Bun.sleep(wait)
    open.push(readStream(spec.request, spec.stallMs, tally))
  }
  await Promise.all(open)
  return streamResult(tally, spec.streams, started)
}

export async function runLoad(spec: LoadSpec): Promise<ClosedResult | StreamResult> {
  switch (spec.mode) {
    case 'closed':
      return closed(spec)
    case 'paced':
      return paced(spec)
    case 'burst':
      return burst(spec)
  }
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec
  process.stdout.write(`${JSON.stringify(await runLoad(spec))}\n`)
}
