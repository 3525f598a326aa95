import { afterAll, describe, expect, test } from 'bun:test'
import { loadConfig } from '../../src/config/load-config'
import { startGateway } from '../support/gateway'
import { startGatewayProcess } from '../support/gateway-process'
import { startMockOpenAI } from '../support/mock-openai'

const mock = startMockOpenAI()
afterAll(() => mock.stop())

describe('/metrics exposure', () => {
  test('on by default on the main port', async () => {
    const gateway = startGateway({ OPENAI_BASE_URL: mock.url })
    try {
      const response = await fetch(`${gateway.url}/metrics`)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('ai_gateway_requests_in_flight')
    } finally {
      gateway.stop()
    }
  })

  test('METRICS_ENABLED=false: /metrics is a 404 JSON like any unknown route', async () => {
    const gateway = startGateway({ OPENAI_BASE_URL: mock.url, METRICS_ENABLED: 'false' })
    try {
      const response = await fetch(`${gateway.url}/metrics`)
      expect(response.status).toBe(404)
      expect(((await response.json()) as any).error.code).toBe('unknown_url')
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
    } finally {
      gateway.stop()
    }
  })

  test('METRICS_PORT: served on its own port bound to HOST, and no longer on the main port', async () => {
    const gateway = await startGatewayProcess({ OPENAI_BASE_URL: mock.url, METRICS_PORT: '0' })
    try {
      const line = gateway.logLines.find((l) => l.includes('"msg":"metrics listening"'))
      expect(line).toBeDefined()
      const metricsUrl = JSON.parse(line!).url as string
      expect(new URL(metricsUrl).hostname).toBe('127.0.0.1')
      expect(new URL(metricsUrl).port).not.toBe(new URL(gateway.url).port)
      const response = await fetch(metricsUrl)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('ai_gateway_requests_in_flight')
      // The metrics port serves nothing else, and the API port no longer serves metrics.
      expect((await fetch(metricsUrl.replace('/metrics', '/v1/chat/completions'), { method: 'POST' })).status).toBe(404)
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404)
    } finally {
      await gateway.terminate()
    }
  }, 20_000)

  test('METRICS_PORT the same as PORT is refused at start (with workers, the supervisor would take the API port)', () => {
    for (const workers of ['1', '2']) expect(loadConfig({ PORT: '3000', METRICS_PORT: '3000', WORKERS: workers })).toEqual({ ok: false, errors: ['METRICS_PORT: got "3000", the same port as PORT; leave it empty to serve /metrics there'] })
  })

  test('bad values are reported', () => {
    const loaded = loadConfig({ METRICS_PORT: '70000', METRICS_ENABLED: 'maybe', CORS_ORIGINS: 'app.example.com' })
    expect(loaded.ok).toBe(false)
    if (!loaded.ok) expect(loaded.errors.map((e) => e.split(':')[0])).toEqual(['METRICS_ENABLED', 'METRICS_PORT', 'CORS_ORIGINS'])
  })
})
