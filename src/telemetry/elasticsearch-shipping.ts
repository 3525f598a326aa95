import type { TelemetrySettings } from '../config/load-config'
import type { Logger } from '../logger'
import type { BulkEntry } from './bulk-entry'
import { createElasticsearchClient } from './elasticsearch-client'
import { setUpIndex, type IndexSetupResult } from './elasticsearch-setup'
import { createElasticsearchSink } from './elasticsearch-sink'
import type { ExportSink } from './exporter'

export interface ElasticsearchShipping {
  sink: ExportSink<BulkEntry>
  /** Installs the index template and the ILM policy. */
  setUp(logger: Logger): Promise<IndexSetupResult>
  close(): Promise<void>
}

/**
 * Everything that needs `@elastic/elasticsearch`, behind one module that telemetry.ts imports
 * only when Elasticsearch is configured: the client adds 4.3 MB of heap in 42,500 objects and
 * 29 MB of RSS (scripts/bench/module-weight.ts), which the embedded default would otherwise
 * carry, and every collection would trace, for nothing.
 */
export function connectElasticsearch(settings: NonNullable<TelemetrySettings['elasticsearch']>): ElasticsearchShipping {
  const client = createElasticsearchClient(settings)
  return {
    sink: createElasticsearchSink(client),
    setUp: (logger) => setUpIndex(client, { index: settings.index, retentionDays: settings.retentionDays }, logger),
    close: () => client.close(),
  }
}
