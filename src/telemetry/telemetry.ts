import { readFileSync } from 'node:fs'
import type { TelemetrySettings } from '../config/load-config'
import type { Logger } from '../logger'
import { createElasticsearchClient, redactUrlCredentials } from './elasticsearch-client'
import { setUpIndex } from './elasticsearch-setup'
import { createElasticsearchSink } from './elasticsearch-sink'
import { createExporter, type Exporter, type ExporterStats } from './exporter'
import { createGatewayMetrics, type GatewayMetrics } from './metrics'
import { createPricing, EMBEDDED_PRICES, mergePriceTables, type PriceTable } from './pricing'
import type { RequestRecord } from './request-record'
import { RequestTelemetry, type RecordContext } from './request-telemetry'

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
  /** Installs the Elasticsearch index template and ILM policy; failures are logged, never fatal. */
  setUp(): Promise<void>
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
  const client = es === null ? null : createElasticsearchClient(es)
  const exporter: Exporter<RequestRecord> | null =
    es === null || client === null
      ? null
      : createExporter({
          sink: createElasticsearchSink(client, es.index),
          capacity: settings.bufferCapacity,
          batchSize: es.batchSize,
          flushIntervalMs: es.flushIntervalMs,
          logger,
        })
  const metrics = createGatewayMetrics(() => exporter?.stats() ?? null)
  const pricing = createPricing(mergePriceTables(EMBEDDED_PRICES, settings.pricesFile === undefined ? undefined : readPriceFile(settings.pricesFile)))
  const unpricedSeen = new Set<string>()

  const context: RecordContext = {
    serviceVersion: options.serviceVersion,
    deploymentEnvironment: options.deploymentEnvironment,
    maxPayloadBytes: settings.maxPayloadBytes,
    pricing,
    emit(record, pricedModel) {
      try {
        metrics.requestEnded()
        metrics.observe(record, pricedModel)
        exporter?.push(record)
        options.onRecord?.(record)
        noteUnpriced(record)
      } catch (error) {
        logger.error('failed to record a request', { request_id: record.attributes.id, error: String(error) })
      }
    },
  }

  function noteUnpriced(record: RequestRecord) {
    const { provider, model, metadata } = record.attributes
    if (metadata.cost !== null || metadata.tokens.input === null || provider === null) return
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
    async setUp() {
      if (es === null || client === null || !es.setup) return
      try {
        const result = await setUpIndex(client, { index: es.index, retentionDays: es.retentionDays }, logger)
        logger.info('elasticsearch index template installed', { template: result.template, ilm_policy: result.policy })
      } catch (error) {
        logger.error('elasticsearch set-up failed; records are kept and retried', { error: describeEsError(error) })
      }
    },
    async shutdown(timeoutMs) {
      if (exporter === null) return
      const stats = await exporter.shutdown(timeoutMs)
      logger.info('telemetry flushed', { ...stats })
      await client?.close()
    },
  }
}

/** PRICES_FILE, read once at start; a broken file stops start-up with a clear message. */
function readPriceFile(path: string): PriceTable {
  let table: PriceTable
  try {
    table = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`PRICES_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (table === null || typeof table !== 'object' || typeof table.models !== 'object') throw new Error(`PRICES_FILE ${path}: expected {"models": {"<provider>": {"<model>": {"input", "output"}}}}`)
  for (const [provider, models] of Object.entries(table.models)) {
    for (const [model, price] of Object.entries(models)) {
      if (typeof price?.input !== 'number' || typeof price?.output !== 'number') throw new Error(`PRICES_FILE ${path}: models.${provider}.${model} needs numeric input and output prices`)
    }
  }
  return table
}

export function describeEsError(error: unknown): string {
  const e = error as { name?: string; message?: string; statusCode?: number }
  if (e?.statusCode === 401) return 'Elasticsearch answered 401: check ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD'
  return redactUrlCredentials(`${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`).slice(0, 500)
}

