import type { Registry } from '../telemetry/prometheus'

/**
 * `/metrics` of a gateway with several workers: the sum of every worker's, whichever worker
 * (or the supervisor, on METRICS_PORT) answers the scrape. Each worker counts its own requests;
 * a scrape that reached one worker would show that worker's counts, and Prometheus, seeing the
 * totals jump between workers from one scrape to the next, would take each drop for a reset.
 *
 * Workers and their supervisor talk over Bun's IPC channel: a worker asked for `/metrics` asks
 * the supervisor, which asks every live worker for its metrics as JSON, sums them with
 * prom-client's cluster aggregation, and answers with the text. A worker that does not answer
 * in time fails the scrape (a 503): a sum without it would look like a counter reset.
 */
type Message =
  /** worker → supervisor: the whole gateway's metrics, please. */
  | { type: 'ai-gateway:metrics?'; id: number }
  /** supervisor → worker: the answer to `metrics?`, or why there is none. */
  | { type: 'ai-gateway:metrics'; id: number; text?: string; error?: string }
  /** supervisor → worker: your own metrics, please. */
  | { type: 'ai-gateway:collect'; id: number }
  /** worker → supervisor: the answer to `collect`. */
  | { type: 'ai-gateway:collected'; id: number; metrics: unknown[] }

/** How long the supervisor waits for every worker's metrics; a worker waits a second longer for the sum. */
export const CLUSTER_METRICS_TIMEOUT_MS = 3000

export class ClusterMetricsUnavailable extends Error {
  override name = 'ClusterMetricsUnavailable'
}

/** What the supervisor needs of a worker to reach it. */
export interface MetricsPeer {
  send(message: Message): void
}

export interface SupervisorMetrics {
  /** The sum of every live worker's metrics, as Prometheus text. */
  text(): Promise<string>
  /** Feed every IPC message from a worker here. */
  onMessage(message: unknown, from: MetricsPeer): void
}

export function createSupervisorMetrics(liveWorkers: () => MetricsPeer[], timeoutMs = CLUSTER_METRICS_TIMEOUT_MS): SupervisorMetrics {
  let lastId = 0
  const collections = new Map<number, (metrics: unknown[]) => void>()

  async function text(): Promise<string> {
    const workers = liveWorkers()
    const id = ++lastId
    const lists: unknown[][] = []
    await new Promise<void>((resolve, reject) => {
      if (workers.length === 0) return reject(new ClusterMetricsUnavailable('no worker is running'))
      const timer = setTimeout(() => {
        collections.delete(id)
        reject(new ClusterMetricsUnavailable(`${workers.length - lists.length} of ${workers.length} workers did not answer in ${timeoutMs} ms`))
      }, timeoutMs)
      collections.set(id, (metrics) => {
        lists.push(metrics)
        if (lists.length < workers.length) return
        clearTimeout(timer)
        collections.delete(id)
        resolve()
      })
      for (const worker of workers) worker.send({ type: 'ai-gateway:collect', id })
    })
    // Only the supervisor aggregates: the module stays out of the workers.
    // @ts-expect-error prom-client types only its package entry; this is its AggregatorRegistry's file.
    const { default: AggregatorRegistry } = (await import('prom-client/lib/cluster')) as { default: { aggregate(lists: unknown[][]): Registry } }
    return AggregatorRegistry.aggregate(lists).metrics()
  }

  function onMessage(message: unknown, from: MetricsPeer): void {
    const m = message as Message
    if (m?.type === 'ai-gateway:collected') return collections.get(m.id)?.(m.metrics)
    if (m?.type !== 'ai-gateway:metrics?') return
    text().then(
      (text) => from.send({ type: 'ai-gateway:metrics', id: m.id, text }),
      (error: unknown) => from.send({ type: 'ai-gateway:metrics', id: m.id, error: error instanceof Error ? error.message : String(error) }),
    )
  }

  return { text, onMessage }
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
    registry.getMetricsAsJSON().then((metrics) => send({ type: 'ai-gateway:collected', id: m.id, metrics } satisfies Message))
  })
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++lastId
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new ClusterMetricsUnavailable(`the supervisor did not answer in ${timeoutMs} ms`))
      }, timeoutMs)
      waiting.set(id, (answer) => {
        clearTimeout(timer)
        waiting.delete(id)
        if (answer.text !== undefined) resolve(answer.text)
        else reject(new ClusterMetricsUnavailable(answer.error ?? 'no answer'))
      })
      send({ type: 'ai-gateway:metrics?', id } satisfies Message)
    })
}
