import type { TelemetrySettings } from '../config/load-config'
import type { Logger } from '../logger'
import { toBulkEntry, type BulkEntry } from './bulk-entry'
import type { ElasticsearchShipping } from './elasticsearch-shipping'
import { createExporter, type Exporter, type ExporterStats } from './exporter'
import { createGatewayMetrics, type GatewayMetrics } from './metrics'
import { createPricing, EMBEDDED_PRICES, mergePriceTables, readPriceFile } from './pricing'
import { redactUrlCredentials } from './redact-url-credentials'
import type { RequestRecord } from './request-record'
import { RequestTelemetry, type FinishedRequest, type RecordContext } from './request-telemetry'

export interface TelemetryOptions {
  settings: TelemetrySettings
  serviceVersion: string
  deploymentEnvironment: string
  logger: Logger
  /** Sees every record (tests; an in-process consumer). */
  onRecord?: (record: RequestRecord) => void
}

export interface Telemetry {
  begin(id: string, method: string, path: string, headers: Headers): RequestTelemetry
  metrics: GatewayMetrics
  exporterStats(): ExporterStats | null
  /**
   * Installs the Elasticsearch index template and ILM policy, and then lets the exporter send.
   * Resolves with the first attempt's success; failures are logged and retried with backoff.
   */
  setUp(): Promise<boolean>
  /** Flushes what is buffered until the deadline. */
  shutdown(timeoutMs: number): Promise<void>
}

/**
 * Wires the record path: every finished request becomes one record, counted in the
 * Prometheus metrics (always) and queued for Elasticsearch (when enabled). Nothing here
 * can throw into a request: a failure to record is logged and the request goes on.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { settings, logger } = options
  const es = settings.elasticsearch
  // Imported only when configured: elasticsearch-shipping.ts says why. A failed import fails
  // each send and set-up attempt, which log it and retry.
  const shipping: Promise<ElasticsearchShipping> | null = es === null ? null : import('./elasticsearch-shipping').then((module) => module.connectElasticsearch(es))
  shipping?.catch(() => {})
  const exporter: Exporter<BulkEntry> | null =
    es === null || shipping === null
      ? null
      : createExporter({
          sink: { send: async (batch) => (await shipping).sink.send(batch) },
          capacity: settings.bufferCapacity,
          // A bulk entry's length in code units: its bytes for the ASCII most documents are.
          maxBytes: settings.bufferMaxBytes,
          sizeOf: (entry) => entry.length,
          batchSize: es.batchSize,
          concurrency: es.concurrentRequests,
          flushIntervalMs: es.flushIntervalMs,
          logger,
          // Nothing is written before the index template exists: the first bulk request would
          // otherwise create the index with guessed mappings, for good.
          paused: es.setup,
        })
  const metrics = createGatewayMetrics(() => exporter?.stats() ?? null)
  const pricing = createPricing(mergePriceTables(EMBEDDED_PRICES, settings.pricesFile === undefined ? undefined : readPriceFile(settings.pricesFile)))
  const unpricedSeen = new Set<string>()

  const context: RecordContext = {
    serviceVersion: options.serviceVersion,
    deploymentEnvironment: options.deploymentEnvironment,
    maxPayloadBytes: settings.maxPayloadBytes,
    pricing,
    emit(finished) {
      // Each consumer on its own: a failing metric must not keep a record from Elasticsearch.
      const attempt = (what: string, step: () => void) => {
        try {
          step()
        } catch (error) {
          logger.error(`failed to ${what}`, { request_id: finished.id, error: String(error) })
        }
      }
      attempt('count a request in the metrics', () => {
        metrics.requestEnded()
        metrics.observe(finished)
      })
      if (exporter !== null && es !== null) attempt('queue a record for Elasticsearch', () => exporter.push(toBulkEntry(finished.document(), es.index)))
      if (options.onRecord) attempt('hand a record on', () => options.onRecord!(finished.document()))
      attempt('note an unpriced model', () => noteUnpriced(finished))
    },
  }

  let settingUp: Promise<boolean> | undefined
  let setUpDone = es === null || !es.setup
  let setUpFailures = 0
  let setUpRetry: Timer | undefined
  let stopped = false

  let setUpInFlight: Promise<boolean> | undefined
  /** One attempt at a time: shutdown's last chance joins an attempt already under way. */
  function attemptSetUp(): Promise<boolean> {
    setUpInFlight ??= trySetUp().finally(() => {
      setUpInFlight = undefined
    })
    return setUpInFlight
  }

  /** Installs the template and policy; until it succeeds records are held, and it is retried with backoff. */
  async function trySetUp(): Promise<boolean> {
    if (setUpDone || shipping === null || exporter === null) return true
    try {
      const result = await (await shipping).setUp(logger)
      logger.info('elasticsearch index template installed', { template: result.template, ilm_policy: result.policy })
      setUpDone = true
      exporter.resume()
      return true
    } catch (error) {
      const retryInMs = Math.min(60_000, 1000 * 2 ** Math.min(setUpFailures++, 6))
      if (setUpFailures === 1 || setUpFailures % 10 === 0) {
        logger.error('elasticsearch set-up failed; records are held and set-up is retried', { error: describeEsError(error), attempts: setUpFailures, retry_in_ms: stopped ? null : retryInMs })
      }
      if (!stopped) {
        setUpRetry = setTimeout(() => void attemptSetUp(), retryInMs)
        setUpRetry.unref()
      }
      return false
    }
  }

  function noteUnpriced({ provider, model, cost, tokens }: FinishedRequest) {
    if (cost !== null || tokens.input === null || provider === null) return
    const key = `${provider}/${model}`
    if (unpricedSeen.has(key) || unpricedSeen.size >= 1000) return
    unpricedSeen.add(key)
    logger.warn('model has no price: cost recorded as null', { provider, model })
  }

  return {
    metrics,
    begin(id, method, path, headers) {
      metrics.requestStarted()
      return new RequestTelemetry(context, id, method, path, headers, performance.now())
    },
    exporterStats: () => exporter?.stats() ?? null,
    setUp() {
      settingUp ??= attemptSetUp()
      return settingUp
    },
    async shutdown(timeoutMs) {
      if (exporter === null) return
      const deadline = performance.now() + timeoutMs
      stopped = true
      clearTimeout(setUpRetry)
      // One last chance for a set-up that kept failing, so the buffer can still be delivered:
      // within the flush's deadline, which a node slow to answer must not stretch.
      if (!setUpDone) {
        let expired: Timer | undefined
        await Promise.race([attemptSetUp(), new Promise<void>((resolve) => (expired = setTimeout(resolve, timeoutMs)))])
        clearTimeout(expired)
      }
      const stats = await exporter.shutdown(Math.max(0, deadline - performance.now()))
      logger.info('telemetry flushed', { ...stats })
      await shipping?.then((connected) => connected.close(), () => {})
    },
  }
}

export function describeEsError(error: unknown): string {
  const e = error as { name?: string; message?: string; statusCode?: number }
  if (e?.statusCode === 401) return 'Elasticsearch answered 401: check ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD'
  return redactUrlCredentials(`${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`).slice(0, 500)
}

