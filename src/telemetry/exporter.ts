import type { Logger } from '../logger'
import { RingBuffer } from './ring-buffer'

/** What a sink reports for one batch. Indexes refer to the batch it was given. */
export type SendOutcome =
  | { kind: 'ok' }
  /** Some items were refused: `retry` ones may succeed later (429), `failed` ones never will. */
  | { kind: 'partial'; retry: number[]; failed: Array<{ index: number; reason: string }> }
  /** The whole request failed in a way worth retrying (network, auth, 429, 5xx). */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }

export interface ExportSink<T> {
  send(batch: T[]): Promise<SendOutcome>
}

export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms)
    timer.unref?.()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as Timer),
}

export interface ExporterOptions<T> {
  sink: ExportSink<T>
  capacity: number
  /**
   * What the records held may weigh in all, in `sizeOf` units, in flight included: a count alone
   * lets 10,000 records of large payloads hold gigabytes while the sink is away.
   */
  maxBytes?: number
  sizeOf?: (item: T) => number
  batchSize: number
  /** A batch leaves at the latest this long after its oldest record was queued. */
  flushIntervalMs: number
  /** Batches sent at the same time at most (default 1). */
  concurrency?: number
  logger: Logger
  clock?: Clock
  random?: () => number
  backoffBaseMs?: number
  backoffMaxMs?: number
  /** Hold every record until `resume()`: the sink is not ready yet (its index is being set up). */
  paused?: boolean
}

export interface ExporterStats {
  /** Records waiting, in flight included. */
  queued: number
  /** What they weigh (`sizeOf`; 0 without one). */
  queuedBytes: number
  capacity: number
  exported: number
  /** Records evicted because the buffer was full, or left over at the shutdown deadline. */
  dropped: number
  /** Records sent again after a failed attempt. */
  retried: number
  /** Records the sink refused for good (e.g. a mapping error). */
  failed: number
}

export interface Exporter<T> {
  /** O(1), never throws: a full buffer evicts its oldest waiting record and counts it. */
  push(item: T): void
  stats(): ExporterStats
  /** Starts sending after a paused start. */
  resume(): void
  /** Stops accepting, delivers what it can until the deadline, counts the rest as dropped. */
  shutdown(timeoutMs: number): Promise<ExporterStats>
}

interface Queued<T> {
  item: T
  queuedAt: number
  size: number
}

/** At most one "records dropped" line per this many milliseconds. */
const DROP_LOG_INTERVAL_MS = 10_000

/**
 * Batches records from a bounded ring into a sink, on size or on age (measured from the
 * oldest waiting record, not reset by new ones). Up to `concurrency` batches are sent at a
 * time; a batch stays out of the ring, and counts against the capacity, until the sink
 * acknowledges it, so a failed batch is retried (capped exponential backoff with full jitter,
 * `Retry-After` honoured) and never lost. While a batch waits to be retried no new batch
 * leaves: a sink in trouble gets one batch at a time. Records leave only as exported, failed
 * (refused for good) or dropped.
 */
export function createExporter<T>(options: ExporterOptions<T>): Exporter<T> {
  const { sink, capacity, flushIntervalMs, logger } = options
  const batchSize = Math.min(options.batchSize, capacity)
  if (options.batchSize > capacity) logger.warn('batch size exceeds buffer capacity; using the capacity', { batch_size: options.batchSize, capacity })
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const backoffBaseMs = options.backoffBaseMs ?? 200
  const backoffMaxMs = options.backoffMaxMs ?? 30_000
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  const sizeOf = options.sizeOf ?? (() => 0)
  /** What the records held weigh, in the ring and in batches; and in batches alone. */
  let bytes = 0
  let outsideBytes = 0
  const weight = (records: Queued<T>[]) => records.reduce((sum, record) => sum + record.size, 0)

  const ring = new RingBuffer<Queued<T>>(capacity)
  /** Batches taken from the ring and not yet acknowledged: being sent, or waiting for a retry. */
  let batches: Batch<T>[] = []
  let outside = 0
  let timer: unknown
  let closed = false
  let paused = options.paused ?? false
  /** Drops since exports last recovered, and those not yet in a log line. */
  let droppedSinceRecovery = 0
  let droppedUnlogged = 0
  let lastDropLogAt = Number.NEGATIVE_INFINITY
  let shuttingDown: Promise<ExporterStats> | undefined
  const stats = { exported: 0, dropped: 0, retried: 0, failed: 0 }

  let timerDueAt = Number.POSITIVE_INFINITY
  /** Arms the one timer, unless it is already due no later than asked: under a stream of
   *  pushes, re-arming each time would postpone the export forever. */
  const arm = (delayMs: number) => {
    const dueAt = clock.now() + Math.max(0, delayMs)
    if (timer !== undefined) {
      if (timerDueAt <= dueAt) return
      clock.clearTimeout(timer)
    }
    timerDueAt = dueAt
    timer = clock.setTimeout(() => {
      timer = undefined
      timerDueAt = Number.POSITIVE_INFINITY
      pump()
    }, Math.max(0, delayMs))
  }

  // A batch that failed, Retry-After included, holds new ones back until it is delivered.
  const backingOff = () => batches.some((batch) => batch.retryAt !== null)
  const canStartBatch = () => !paused && batches.length < concurrency && !backingOff()

  /** From push: O(1) unless a batch is due. */
  const schedule = () => {
    if (closed || !canStartBatch()) return
    const oldest = ring.peek()
    if (oldest === undefined) return
    if (ring.size >= batchSize) arm(0)
    else if (timer === undefined) arm(oldest.queuedAt + flushIntervalMs - clock.now())
  }

  /** Sends what is due: batches whose retry time has come, then new full or aged batches. */
  function pump(): void {
    if (closed) return
    const now = clock.now()
    for (const batch of batches) if (!batch.sending && batch.retryAt !== null && batch.retryAt <= now) send(batch)
    while (canStartBatch() && ring.size > 0 && (ring.size >= batchSize || ring.peek()!.queuedAt + flushIntervalMs <= now)) send(take())
    const nextRetry = earliestRetry()
    if (nextRetry !== null) arm(nextRetry - now)
    else schedule()
  }

  /** When the first batch waiting for its retry may go again; null when none waits. */
  function earliestRetry(): number | null {
    let earliest: number | null = null
    for (const batch of batches) if (!batch.sending && batch.retryAt !== null && (earliest === null || batch.retryAt < earliest)) earliest = batch.retryAt
    return earliest
  }

  function take(): Batch<T> {
    const batch: Batch<T> = { records: ring.take(batchSize), attempt: 0, retryAt: null, sending: undefined }
    batches.push(batch)
    outside += batch.records.length
    outsideBytes += weight(batch.records)
    return batch
  }

  // Under a sustained overflow a line per dropped record (or per batch) would flood the log:
  // one line per interval carries the count since the previous one.
  const drop = (count: number, why: string) => {
    if (count === 0) return
    stats.dropped += count
    droppedSinceRecovery += count
    droppedUnlogged += count
    if (clock.now() - lastDropLogAt < DROP_LOG_INTERVAL_MS) return
    logger.warn('telemetry records dropped', { count: droppedUnlogged, reason: why })
    droppedUnlogged = 0
    lastDropLogAt = clock.now()
  }

  function send(batch: Batch<T>): Promise<void> {
    batch.sending ??= attemptSend(batch).finally(() => {
      batch.sending = undefined
      pump()
    })
    return batch.sending
  }

  async function attemptSend(batch: Batch<T>): Promise<void> {
    const sent = batch.records
    let outcome: SendOutcome
    try {
      outcome = await sink.send(sent.map((q) => q.item))
    } catch (error) {
      outcome = { kind: 'retry', reason: error instanceof Error ? error.message : String(error) }
    }
    // Shutdown gave up on this batch at its deadline and counted it as dropped: a late answer changes nothing.
    if (!batches.includes(batch)) return
    let left = sent
    if (outcome.kind === 'ok') {
      stats.exported += sent.length
      left = []
    } else if (outcome.kind === 'partial') {
      const refused = new Set([...outcome.retry, ...outcome.failed.map((f) => f.index)])
      stats.exported += sent.length - refused.size
      stats.failed += outcome.failed.length
      for (const { reason } of outcome.failed.slice(0, 3)) logger.error('telemetry record refused by the sink', { reason })
      left = outcome.retry.map((index) => sent[index]!)
    }
    outside -= sent.length - left.length
    const delivered = weight(sent) - weight(left)
    bytes -= delivered
    outsideBytes -= delivered
    batch.records = left
    if (left.length === 0) {
      batches = batches.filter((other) => other !== batch)
      // Recovered once the buffer has room again, not at each batch that gets out of a full one.
      if (droppedSinceRecovery > 0 && ring.size <= capacity / 2) {
        logger.warn('telemetry export recovered after dropping records', { dropped: droppedSinceRecovery })
        droppedSinceRecovery = 0
        droppedUnlogged = 0
        lastDropLogAt = Number.NEGATIVE_INFINITY
      }
      return
    }
    stats.retried += left.length
    // The sink's Retry-After is a floor, never a shortcut: a node answering `Retry-After: 0` to
    // every request must not be sent the batch again in a loop.
    const backoff = backoffDelay(batch.attempt++)
    const delay = outcome.kind === 'retry' && outcome.retryAfterMs !== undefined ? Math.max(outcome.retryAfterMs, backoff) : backoff
    if (batch.attempt <= 1 || batch.attempt % 10 === 0) {
      logger.warn('telemetry export failed; retrying', { records: left.length, attempt: batch.attempt, retry_in_ms: Math.round(delay), reason: outcome.kind === 'retry' ? outcome.reason : 'items rejected with 429' })
    }
    batch.retryAt = clock.now() + delay
  }

  /** Full jitter: uniformly random up to the capped exponential step. */
  function backoffDelay(step: number): number {
    return random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** step)
  }

  return {
    push(item) {
      if (closed) return drop(1, 'exporter is shut down')
      const size = sizeOf(item)
      if (size > maxBytes) return drop(1, 'record larger than the buffer')
      // What is out in batches cannot be evicted: a newcomer it leaves no room for goes at once,
      // rather than after every waiting record has been evicted for nothing.
      if (outsideBytes + size > maxBytes) return drop(1, 'buffer full')
      while (ring.size + outside >= capacity || bytes + size > maxBytes) {
        // Evict the oldest record not yet sent; if everything is out in batches, the newcomer goes.
        if (ring.size === 0) return drop(1, 'buffer full')
        bytes -= ring.shift()!.size
        drop(1, 'buffer full')
      }
      ring.push({ item, queuedAt: clock.now(), size })
      bytes += size
      schedule()
    },
    stats() {
      return { queued: ring.size + outside, queuedBytes: bytes, capacity, ...stats }
    },
    resume() {
      paused = false
      pump()
    },
    shutdown(timeoutMs) {
      // Once: a second call waits for the same flush instead of reporting it half done.
      shuttingDown ??= flushAndClose(timeoutMs)
      return shuttingDown
    },
  }

  async function flushAndClose(timeoutMs: number): Promise<ExporterStats> {
    closed = true
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    // The clock's timers are unref'd; while the flush backs off, nothing else may hold the
    // process open, and it would exit mid-flush. This timer does, until the flush ends.
    const keepAlive = setInterval(() => {}, 60_000)
    try {
      const deadline = clock.now() + timeoutMs
      while (!paused && (ring.size > 0 || batches.length > 0) && clock.now() < deadline) {
        // Everything goes now, whatever its age; a batch waiting for a retry is sent again at once.
        while (batches.length < concurrency && ring.size > 0) take()
        const round = Promise.all(batches.map(send)).then(() => true)
        const settled = await Promise.race([round, sleep(deadline - clock.now()).then(() => false)])
        if (!settled) break
        if (batches.length > 0) await sleep(Math.min((earliestRetry() ?? clock.now()) - clock.now(), deadline - clock.now()))
      }
      drop(ring.size + outside, paused ? 'the sink never became ready' : 'not delivered before the shutdown deadline')
      ring.take(ring.size)
      batches = []
      outside = 0
      bytes = 0
      outsideBytes = 0
      return { queued: 0, queuedBytes: 0, capacity, ...stats }
    } finally {
      clearInterval(keepAlive)
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => clock.setTimeout(resolve, Math.max(0, ms)))
  }
}

interface Batch<T> {
  records: Queued<T>[]
  /** Failed attempts so far: the backoff step of the next. */
  attempt: number
  /** When it may be sent again after a failure (clock time); null until it has failed. */
  retryAt: number | null
  sending: Promise<void> | undefined
}
