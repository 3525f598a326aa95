import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ClusterMetricsUnavailable, createSupervisorMetrics, type MetricsPeer, type SupervisorMetrics } from '../../src/cli/cluster-metrics'
import { metricsResponse } from '../../src/server/metrics-server'
import { Counter, Registry } from '../../src/telemetry/prometheus'
import { freePort, startBinary, type BinaryProcess } from '../support/binary-process'
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai'

const ROOT = new URL('../../', import.meta.url).pathname
const ENTRY = new URL('../../src/main.ts', import.meta.url).pathname
const REQUESTS = 40

/** The value of one series in Prometheus text, or 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

const REQUESTS_200 = 'ai_gateway_requests_total{provider="openai",model="gpt-4o-mini",status="success",status_code="200"}'
const TOKENS_IN = 'ai_gateway_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"}'
const LATENCY_COUNT = 'ai_gateway_request_duration_seconds_count{provider="openai"}'

let mock: MockOpenAI
beforeAll(() => {
  mock = startMockOpenAI()
})
afterAll(() => mock.stop())

async function startWorkers(env: Record<string, string>): Promise<{ supervisor: BinaryProcess; port: number; workerPids: number[] }> {
  const port = freePort()
  const supervisor = startBinary([process.execPath, ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), WORKERS: '2', OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'sk-test', ...env },
  })
  const listening = await Promise.all([0, 1].map((index) => supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === index)))
  return { supervisor, port, workerPids: listening.map((line) => line.pid as number) }
}

/** Chat requests on fresh connections, so the kernel spreads them over both workers. */
async function chat(port: number, count: number): Promise<number> {
  let inputTokens = 0
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      keepalive: false,
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(response.status).toBe(200)
    inputTokens += ((await response.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens
  }
  return inputTokens
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url, { keepalive: false, headers: { connection: 'close' } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toStartWith('text/plain')
  return response.text()
}

async function stop(supervisor: BinaryProcess): Promise<void> {
  supervisor.process.kill('SIGTERM')
  expect(await supervisor.exited).toBe(0)
}

describe('/metrics with WORKERS=2', () => {
  test('every scrape of the shared port, whichever worker answers it, counts the requests of both', async () => {
    const { supervisor, port } = await startWorkers({})
    try {
      const inputTokens = await chat(port, REQUESTS)
      // Several scrapes on fresh connections: each worker answers some of them.
      for (let i = 0; i < 8; i++) {
        const text = await scrape(`http://127.0.0.1:${port}/metrics`)
        expect(sample(text, REQUESTS_200)).toBe(REQUESTS)
        expect(sample(text, TOKENS_IN)).toBe(inputTokens)
        expect(sample(text, LATENCY_COUNT)).toBe(REQUESTS)
        // One exporter-less buffer per worker: gauges add up too.
        expect(sample(text, 'ai_gateway_requests_in_flight')).toBe(0)
      }
    } finally {
      await stop(supervisor)
    }
  }, 30_000)

  test('METRICS_PORT is served by the supervisor, with both workers’ counts; a worker restarted after a crash starts its share from 0', async () => {
    const metricsPort = freePort()
    const { supervisor, port, workerPids } = await startWorkers({ METRICS_PORT: String(metricsPort) })
    try {
      await supervisor.waitForLog((line) => line.msg === 'metrics listening' && line.url === `http://127.0.0.1:${metricsPort}/metrics`)
      await chat(port, REQUESTS)
      const before = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(sample(before, REQUESTS_200)).toBe(REQUESTS)
      // The main port no longer serves metrics.
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { keepalive: false })).status).toBe(404)

      process.kill(workerPids[0]!, 'SIGKILL')
      await supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === 0 && line.pid !== workerPids[0])
      const after = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      const survivors = sample(after, REQUESTS_200)
      // The killed worker's share is gone with it, the other's is still counted.
      expect(survivors).toBeGreaterThan(0)
      expect(survivors).toBeLessThan(REQUESTS)
    } finally {
      await stop(supervisor)
    }
  }, 30_000)
})

describe('a METRICS_PORT that is taken', () => {
  test('stops the supervisor before it starts any worker', async () => {
    const taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    try {
      const supervisor = startBinary([process.execPath, ENTRY], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(freePort()), WORKERS: '2', METRICS_PORT: String(taken.port) },
      })
      expect(await supervisor.exited).toBe(1)
      expect(supervisor.logs.filter((line) => line.msg === 'worker started')).toEqual([])
    } finally {
      taken.stop(true)
    }
  }, 10_000)
})

describe('createSupervisorMetrics', () => {
  /** A worker whose registry counts `requests`; `answers: false` never replies. */
  function worker(requests: number, answers = true): (metrics: () => SupervisorMetrics) => MetricsPeer {
    const registry = new Registry()
    new Counter({ name: 'requests_total', help: 'requests', registers: [registry] }).inc(requests)
    return (metrics) => {
      const peer: MetricsPeer = {
        send(message) {
          if (!answers || message.type !== 'ai-gateway:collect') return
          void registry.getMetricsAsJSON().then((list) => metrics().onMessage({ type: 'ai-gateway:collected', id: message.id, metrics: list }, peer))
        },
      }
      return peer
    }
  }

  function supervisorOf(...workers: Array<(metrics: () => SupervisorMetrics) => MetricsPeer>): SupervisorMetrics {
    const peers: MetricsPeer[] = []
    const metrics = createSupervisorMetrics(() => peers, 200)
    for (const make of workers) peers.push(make(() => metrics))
    return metrics
  }

  test('sums what every worker counted', async () => {
    expect(await supervisorOf(worker(3), worker(4)).text()).toContain('requests_total 7\n')
  })

  test('a worker that does not answer fails the scrape with a 503, rather than a smaller sum that would read as a counter reset', async () => {
    const metrics = supervisorOf(worker(3), worker(4, false))
    await expect(metrics.text()).rejects.toThrow(new ClusterMetricsUnavailable('1 of 2 workers did not answer in 200 ms'))
    const response = await metricsResponse(() => metrics.text())
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: { code: 'metrics_unavailable' } })
  })

  test('a worker asking for the sum gets it back over its channel', async () => {
    const answers: unknown[] = []
    const metrics = supervisorOf(worker(2), worker(5))
    metrics.onMessage({ type: 'ai-gateway:metrics?', id: 9 }, { send: (message) => answers.push(message) })
    while (answers.length === 0) await Bun.sleep(5)
    expect(answers).toEqual([{ type: 'ai-gateway:metrics', id: 9, text: expect.stringContaining('requests_total 7\n') }])
  })
})
