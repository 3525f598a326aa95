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
  batchSize: number
  /** A batch leaves at the latest this long after its oldest record was queued. */
  flushIntervalMs: number
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
}

/** At most one "records dropped" line per this many milliseconds. */
const DROP_LOG_INTERVAL_MS = 10_000

/**
 * Batches records from a bounded ring into a sink, on size or on age (measured from the
 * oldest waiting record, not reset by new ones). One send at a time; a batch stays in
 * flight, and counts against the capacity, until the sink acknowledges it, so a failed
 * batch is retried (capped exponential backoff with full jitter, `Retry-After` honoured)
 * and never lost. Records leave only as exported, failed (refused for good) or dropped.
 */
export function createExporter<T>(options: ExporterOptions<T>): Exporter<T> {
  const { sink, capacity, flushIntervalMs, logger } = options
  const batchSize = Math.min(options.batchSize, capacity)
  if (options.batchSize > capacity) logger.warn('batch size exceeds buffer capacity; using the capacity', { batch_size: options.batchSize, capacity })
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const backoffBaseMs = options.backoffBaseMs ?? 200
  const backoffMaxMs = options.backoffMaxMs ?? 30_000

  const ring = new RingBuffer<Queued<T>>(capacity)
  let inFlight: Queued<T>[] = []
  let sending: Promise<void> | undefined
  let timer: unknown
  let attempt = 0
  let closed = false
  let paused = options.paused ?? false
  /** Drops since exports last recovered, and those not yet in a log line. */
  let droppedSinceRecovery = 0
  let droppedUnlogged = 0
  let lastDropLogAt = Number.NEGATIVE_INFINITY
  /** The last retry delay: shutdown waits it out (within its deadline) before trying again. */
  let lastDelay = 0
  let shuttingDown: Promise<ExporterStats> | undefined
  const stats = { exported: 0, dropped: 0, retried: 0, failed: 0 }

  let timerDueAt = Number.POSITIVE_INFINITY
  /** Arms the one export timer, unless it is already due no later than asked: under a stream
   *  of pushes, re-arming each time would postpone the export forever. */
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
      void exportBatch()
    }, Math.max(0, delayMs))
  }

  const schedule = () => {
    if (closed || paused || sending !== undefined || inFlight.length > 0) return
    const oldest = ring.peek()
    if (oldest === undefined) return
    if (ring.size >= batchSize) arm(0)
    else if (timer === undefined) arm(oldest.queuedAt + flushIntervalMs - clock.now())
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

  function exportBatch(): Promise<void> {
    if (sending !== undefined) return sending
    if (inFlight.length === 0) inFlight = ring.take(batchSize)
    if (inFlight.length === 0) return Promise.resolve()
    sending = sendInFlight().finally(() => {
      sending = undefined
      // Whatever queued up meanwhile: send it now if a batch is full, or arm the age timer.
      if (inFlight.length === 0) schedule()
    })
    return sending
  }

  async function sendInFlight(): Promise<void> {
    const batch = inFlight
    let outcome: SendOutcome
    try {
      outcome = await sink.send(batch.map((q) => q.item))
    } catch (error) {
      outcome = { kind: 'retry', reason: error instanceof Error ? error.message : String(error) }
    }
    // Shutdown gave up on this batch at its deadline and counted it as dropped: a late answer changes nothing.
    if (batch !== inFlight) return
    if (outcome.kind === 'ok') {
      stats.exported += batch.length
      inFlight = []
    } else if (outcome.kind === 'partial') {
      const refused = new Set([...outcome.retry, ...outcome.failed.map((f) => f.index)])
      stats.exported += batch.length - refused.size
      stats.failed += outcome.failed.length
      for (const { reason } of outcome.failed.slice(0, 3)) logger.error('telemetry record refused by the sink', { reason })
      inFlight = outcome.retry.map((index) => batch[index]!)
    }
    if (inFlight.length === 0) {
      attempt = 0
      // Recovered once the buffer has room again, not at each batch that gets out of a full one.
      if (droppedSinceRecovery > 0 && ring.size <= capacity / 2) {
        logger.warn('telemetry export recovered after dropping records', { dropped: droppedSinceRecovery })
        droppedSinceRecovery = 0
        droppedUnlogged = 0
        lastDropLogAt = Number.NEGATIVE_INFINITY
      }
      return
    }
    stats.retried += inFlight.length
    const delay = outcome.kind === 'retry' && outcome.retryAfterMs !== undefined ? outcome.retryAfterMs : backoffDelay(attempt++)
    if (attempt <= 1 || attempt % 10 === 0) {
      logger.warn('telemetry export failed; retrying', { records: inFlight.length, attempt, retry_in_ms: Math.round(delay), reason: outcome.kind === 'retry' ? outcome.reason : 'items rejected with 429' })
    }
    if (!closed) arm(delay)
    lastDelay = delay
  }

  /** Full jitter: uniformly random up to the capped exponential step. */
  function backoffDelay(step: number): number {
    return random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** step)
  }

  return {
    push(item) {
      if (closed) return drop(1, 'exporter is shut down')
      if (ring.size + inFlight.length >= capacity) {
        // Evict the oldest record not yet sent; if everything is in flight, the newcomer goes.
        if (ring.size === 0) return drop(1, 'buffer full')
        ring.shift()
        drop(1, 'buffer full')
      }
      ring.push({ item, queuedAt: clock.now() })
      schedule()
    },
    stats() {
      return { queued: ring.size + inFlight.length, capacity, ...stats }
    },
    resume() {
      paused = false
      schedule()
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
      while (!paused && (ring.size > 0 || inFlight.length > 0) && clock.now() < deadline) {
        const settled = await Promise.race([exportBatch().then(() => true), sleep(deadline - clock.now()).then(() => false)])
        if (!settled) break
        if (inFlight.length > 0) await sleep(Math.min(lastDelay, deadline - clock.now()))
      }
      drop(ring.size + inFlight.length, paused ? 'the sink never became ready' : 'not delivered before the shutdown deadline')
      ring.take(ring.size)
      inFlight = []
      return { queued: 0, capacity, ...stats }
    } finally {
      clearInterval(keepAlive)
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => clock.setTimeout(resolve, Math.max(0, ms)))
  }
}
