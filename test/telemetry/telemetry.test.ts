import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { modulesLoaded } from '../support/modules-loaded'

const TELEMETRY_MODULE = join(import.meta.dir, '../../src/telemetry/telemetry.ts')

/** Builds the telemetry in a fresh process and answers how many `@elastic/*` modules it has loaded. */
function elasticModulesLoaded(elasticsearch: boolean): number {
  const script = `
    const { createTelemetry } = await import(${JSON.stringify(TELEMETRY_MODULE)})
    const elasticsearch = ${elasticsearch} ? { url: 'http://127.0.0.1:9', index: 'ai-gateway-metrics', batchSize: 10, concurrentRequests: 2, flushIntervalMs: 60000, requestTimeoutMs: 1000, retentionDays: 1, setup: false } : null
    const quiet = { error() {}, warn() {}, info() {}, debug() {}, enabled: () => false }
    const telemetry = createTelemetry({ settings: { elasticsearch, bufferCapacity: 10, maxPayloadBytes: 1000 }, serviceVersion: '0', deploymentEnvironment: 'test', logger: quiet })
    // Shutdown closes the client, so it waits for the import to finish: no guess at how long it takes.
    await telemetry.shutdown(1000)
  `
  return modulesLoaded(script, '/@elastic/')
}

describe('the Elasticsearch client is loaded only when telemetry goes to Elasticsearch', () => {
  test('without Elasticsearch, no @elastic module is loaded', () => {
    expect(elasticModulesLoaded(false)).toBe(0)
  })

  test('with Elasticsearch, the client is loaded', () => {
    expect(elasticModulesLoaded(true)).toBeGreaterThan(0)
  })
})
