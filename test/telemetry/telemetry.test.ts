import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'

const TELEMETRY_MODULE = join(import.meta.dir, '../../src/telemetry/telemetry.ts')

/**
 * Builds the telemetry in a fresh process (this one has loaded the client through other tests)
 * and answers how many `@elastic/*` modules it has loaded.
 */
function elasticModulesLoaded(elasticsearch: boolean): number {
  const script = `
    const { createTelemetry } = await import(${JSON.stringify(TELEMETRY_MODULE)})
    const elasticsearch = ${elasticsearch} ? { url: 'http://127.0.0.1:9', index: 'ai-gateway-metrics', batchSize: 10, concurrentRequests: 2, flushIntervalMs: 60000, requestTimeoutMs: 1000, retentionDays: 1, setup: false } : null
    const quiet = { error() {}, warn() {}, info() {}, debug() {}, enabled: () => false }
    const telemetry = createTelemetry({ settings: { elasticsearch, bufferCapacity: 10, maxPayloadBytes: 1000 }, serviceVersion: '0', deploymentEnvironment: 'test', logger: quiet })
    // Shutdown closes the client, so it waits for the import to finish: no guess at how long it takes.
    await telemetry.shutdown(1000)
    console.log(Object.keys(require.cache).filter((path) => path.includes('/@elastic/')).length)
  `
  const result = Bun.spawnSync({ cmd: [process.execPath, '-e', script], stdout: 'pipe', stderr: 'pipe' })
  if (result.exitCode !== 0) throw new Error(result.stderr.toString())
  return Number(result.stdout.toString().trim())
}

describe('the Elasticsearch client is loaded only when telemetry goes to Elasticsearch', () => {
  test('without Elasticsearch, no @elastic module is loaded', () => {
    expect(elasticModulesLoaded(false)).toBe(0)
  })

  test('with Elasticsearch, the client is loaded', () => {
    expect(elasticModulesLoaded(true)).toBeGreaterThan(0)
  })
})
