import type { Registry } from '../telemetry/prometheus'
import { MetricsUnavailable } from '../server/metrics-server'

/**
 * `/metrics` of a gateway with several workers: the sum of every worker's, whichever worker
 * (or the supervisor, on METRICS_PORT) answers the scrape. Each worker counts its own requests;
 * a scrape that reached one worker would show that worker's counts, and Prometheus, seeing the
 * totals jump between workers from one scrape to the next, would take each drop for a reset.
 *
 * Workers and their supervisor talk over Bun's IPC channel: a worker asked for `/metrics` asks
 * the supervisor, which asks every live worker for its metrics as JSON, sums them with
 * prom-client's cluster aggregation, and answers with the text. Counters must not fall, so:
 * - a worker that exits leaves its last collected counters and histograms in the sum (its
 *   replacement counts from 0 on top of them); its gauges (requests in flight) leave with it;
 * - a live worker that does not answer in time fails the scrape (a 503) rather than be left out.
 * Scrapes that arrive while a collection runs share it.
 */
type Message =
  /** worker → supervisor: the whole gateway's metrics, please. */
  | { type: 'ai-gateway:metrics?'; id: number }
  /** supervisor → worker: the answer to `metrics?`, or why there is none. */
  | { type: 'ai-gateway:metrics'; id: number; text?: string; error?: string }
  /** supervisor → worker: your own metrics, please. */
  | { type: 'ai-gateway:collect'; id: number }
  /** worker → supervisor: the answer to `collect`. */
  | { type: 'ai-gateway:collected'; id: number; metrics?: MetricJson[]; error?: string }

/** One metric as prom-client's `getMetricsAsJSON` gives it. */
interface MetricJson {
  name: string
  type: string
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>
}

/** prom-client's AggregatorRegistry, as far as it is used here. */
type Aggregator = { aggregate(lists: MetricJson[][]): Registry }

/** How long the supervisor waits for every worker's metrics; a worker waits a second longer for the sum. */
export const CLUSTER_METRICS_TIMEOUT_MS = 3000

/** What the supervisor needs of a worker to reach it. */
export interface MetricsPeer {
  pid: number
  send(message: Message): void
}

export interface SupervisorMetrics {
  /** The sum of every worker's metrics, as Prometheus text. */
  text(): Promise<string>
  /** Feed every IPC message from a worker here. */
  onMessage(message: unknown, from: MetricsPeer): void
  /** A worker exited: its counters stay in the sum as they were last collected. */
  workerExited(pid: number): void
}

interface Collection {
  waiting: Set<number>
  lists: Map<number, MetricJson[]>
  done(error?: Error): void
}

export function createSupervisorMetrics(liveWorkers: () => MetricsPeer[], timeoutMs = CLUSTER_METRICS_TIMEOUT_MS): SupervisorMetrics {
  let lastId = 0
  const collections = new Map<number, Collection>()
  /** Each live worker's metrics as last collected. */
  const latest = new Map<number, MetricJson[]>()
  /** Counters and histograms of the workers that exited, as last collected. */
  const retired: MetricJson[][] = []
  /** What each counter and histogram series last showed, by `seriesKey`. */
  const shown = new Map<string, number>()
  let running: Promise<string> | null = null

  async function collect(): Promise<string> {
    const workers = liveWorkers()
    const id = ++lastId
    const collection: Collection = { waiting: new Set(workers.map((worker) => worker.pid)), lists: new Map(), done: () => {} }
    // The lists to add up are taken as the collection ends: a worker that exits after that has its
    // last values moved to `retired`, and must not be counted in both.
    const lists = await new Promise<MetricJson[][]>((resolve, reject) => {
      const timer = setTimeout(() => collection.done(new MetricsUnavailable(`${collection.waiting.size} of ${workers.length} workers did not answer in ${timeoutMs} ms`)), timeoutMs)
      collection.done = (error) => {
        clearTimeout(timer)
        collections.delete(id)
        if (error === undefined) resolve([...collection.lists.values(), ...retired])
        else reject(error)
      }
      if (collection.waiting.size === 0) return collection.done()
      collections.set(id, collection)
      for (const worker of workers) worker.send({ type: 'ai-gateway:collect', id })
    })
    try {
      // Only the supervisor aggregates: the module stays out of the workers.
      // @ts-expect-error prom-client types only its package entry; this is its AggregatorRegistry's file.
      const { default: aggregator } = (await import('prom-client/lib/cluster')) as { default: Aggregator }
      const summed = (await aggregator.aggregate(lists).getMetricsAsJSON()) as unknown as MetricJson[]
      neverLess(summed)
      const text = await aggregator.aggregate([summed]).metrics()
      await compactRetired(aggregator)
      return text
    } catch (error) {
      throw new MetricsUnavailable(`the workers' metrics could not be added up: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /**
   * Sums of floats (cost, a histogram's `_sum`) come out a few ulps apart when the same numbers are
   * added in another order (workers answer in any order, exits and compaction regroup them), and
   * Prometheus takes any fall of a counter for a reset. No counter or histogram series shows
   * less than it showed before.
   */
  function neverLess(metrics: MetricJson[]): void {
    for (const metric of metrics) {
      if (metric.type !== 'counter' && metric.type !== 'histogram') continue
      for (const sample of metric.values) {
        const key = seriesKey(metric.name, sample)
        const before = shown.get(key)
        if (before !== undefined && sample.value < before) sample.value = before
        else shown.set(key, sample.value)
      }
    }
  }

  /** Workers that died over the months are kept as one list, not one each. */
  async function compactRetired(aggregator: Aggregator): Promise<void> {
    const count = retired.length
    if (count <= 16) return
    const merged = (await aggregator.aggregate(retired.slice(0, count)).getMetricsAsJSON()) as unknown as MetricJson[]
    // Workers that exited meanwhile were pushed after the `count` merged here.
    retired.splice(0, count, merged)
  }

  function text(): Promise<string> {
    running ??= collect().finally(() => (running = null))
    return running
  }

  function onMessage(message: unknown, from: MetricsPeer): void {
    const m = message as Message
    if (m?.type === 'ai-gateway:collected') {
      const collection = collections.get(m.id)
      if (collection === undefined || !collection.waiting.has(from.pid)) return
      if (m.metrics === undefined) return collection.done(new MetricsUnavailable(`a worker could not collect its metrics: ${m.error ?? 'no reason given'}`))
      latest.set(from.pid, m.metrics)
      collection.lists.set(from.pid, m.metrics)
      collection.waiting.delete(from.pid)
      if (collection.waiting.size === 0) collection.done()
      return
    }
    if (m?.type !== 'ai-gateway:metrics?') return
    text().then(
      (text) => from.send({ type: 'ai-gateway:metrics', id: m.id, text }),
      (error: unknown) => from.send({ type: 'ai-gateway:metrics', id: m.id, error: error instanceof Error ? error.message : String(error) }),
    )
  }

  function workerExited(pid: number): void {
    const last = latest.get(pid)
    latest.delete(pid)
    if (last !== undefined) retired.push(last.filter((metric) => metric.type !== 'gauge'))
    for (const collection of collections.values()) {
      // Its last values are in `retired` now, the ones of this collection included: counted once.
      collection.lists.delete(pid)
      if (collection.waiting.delete(pid) && collection.waiting.size === 0) collection.done()
    }
  }

  return { text, onMessage, workerExited }
}

/**
 * In a worker: answers the supervisor's requests for this worker's metrics, and returns how to
 * get the whole gateway's. Null outside a supervisor (no IPC channel): the registry's own then.
 */
export function workerMetrics(registry: Registry, timeoutMs = CLUSTER_METRICS_TIMEOUT_MS + 1000): (() => Promise<string>) | null {
  const send = process.send?.bind(process)
  if (send === undefined) return null
  let lastId = 0
  const waiting = new Map<number, (answer: Extract<Message, { type: 'ai-gateway:metrics' }>) => void>()
  process.on('message', (message: unknown) => {
    const m = message as Message
    if (m?.type === 'ai-gateway:metrics') return waiting.get(m.id)?.(m)
    if (m?.type !== 'ai-gateway:collect') return
    registry.getMetricsAsJSON().then(
      (metrics) => send({ type: 'ai-gateway:collected', id: m.id, metrics: metrics as unknown as MetricJson[] } satisfies Message),
      (error: unknown) => send({ type: 'ai-gateway:collected', id: m.id, error: error instanceof Error ? error.message : String(error) } satisfies Message),
    )
  })
  // A supervisor that is gone answers nothing: the scrapes waiting for it fail now, not at their timeout.
  process.on('disconnect', () => {
    for (const answer of waiting.values()) answer({ type: 'ai-gateway:metrics', id: 0, error: 'the supervisor is gone' })
  })
  return () =>
    new Promise<string>((resolve, reject) => {
      if (process.connected === false) return reject(new MetricsUnavailable('the supervisor is gone'))
      const id = ++lastId
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new MetricsUnavailable(`the supervisor did not answer in ${timeoutMs} ms`))
      }, timeoutMs)
      waiting.set(id, (answer) => {
        clearTimeout(timer)
        waiting.delete(id)
        if (answer.text !== undefined) resolve(answer.text)
        else reject(new MetricsUnavailable(answer.error ?? 'no answer'))
      })
      send({ type: 'ai-gateway:metrics?', id } satisfies Message)
    })
}

function seriesKey(name: string, sample: MetricJson['values'][number]): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((label) => `${label}=${sample.labels[label]}`)
  return `${sample.metricName ?? name}{${labels.join(',')}}`
}
