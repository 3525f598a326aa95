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

describe('shutdown with a set-up that has not succeeded', () => {
  test('the last set-up attempt gets the flush deadline, not the request timeout: held records are counted as dropped', async () => {
    // A node that takes every connection and never answers: each set-up request would wait out
    // its 60 s timeout, four of them in a row.
    let requests = 0
    const silent = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () => {
        requests++
        return new Promise<Response>(() => {})
      },
    })
    const { createTelemetry } = await import('../../src/telemetry/telemetry')
    const lines: Array<{ message: string; fields?: Record<string, unknown> }> = []
    const log = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields })
    const telemetry = createTelemetry({
      settings: {
        elasticsearch: { url: `http://127.0.0.1:${silent.port}`, index: 'ai-gateway-metrics', batchSize: 10, concurrentRequests: 2, flushIntervalMs: 60000, requestTimeoutMs: 60_000, retentionDays: 1, setup: true },
        bufferCapacity: 10,
        maxPayloadBytes: 1000,
      },
      serviceVersion: '0',
      deploymentEnvironment: 'test',
      logger: { error: log, warn: log, info: log, debug: log, enabled: () => true },
    })
    try {
      void telemetry.setUp()
      telemetry.begin('req-1', 'POST', '/v1/chat/completions', new Headers()).fail({ status: 400, type: 'invalid_request' })
      await telemetry.shutdown(300)
      expect(telemetry.exporterStats()).toMatchObject({ queued: 0, exported: 0, dropped: 1 })
      expect(lines).toContainEqual({ message: 'telemetry records dropped', fields: { count: 1, reason: 'the sink never became ready' } })
      // The set-up under way was joined, not started a second time.
      expect(requests).toBe(1)
    } finally {
      silent.stop(true)
    }
  }, 5000)
})
