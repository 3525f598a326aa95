import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createSupervisorMetrics, type MetricsPeer, type SupervisorMetrics } from '../../src/cli/cluster-metrics'
import { metricsResponse, MetricsUnavailable } from '../../src/server/metrics-server'
import { Counter, Gauge, Registry } from '../../src/telemetry/prometheus'
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
  try {
    const listening = await Promise.all([0, 1].map((index) => supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === index)))
    return { supervisor, port, workerPids: listening.map((line) => line.pid as number) }
  } catch (error) {
    // The supervisor passes the signal on; a worker left without it stops by itself.
    supervisor.process.kill('SIGTERM')
    throw error
  }
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

  test('METRICS_PORT is served by the supervisor, with both workers’ counts, which a worker’s crash and restart do not lower', async () => {
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
      // While it is down (the restart waits 100 ms) and after, the sum keeps what it had counted.
      await supervisor.waitForLog((line) => line.msg === 'worker exited: restarting')
      expect(sample(await scrape(`http://127.0.0.1:${metricsPort}/metrics`), REQUESTS_200)).toBe(REQUESTS)
      await supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === 0 && line.pid !== workerPids[0])
      await chat(port, 4)
      const after = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(sample(after, REQUESTS_200)).toBe(REQUESTS + 4)
      expect(sample(after, 'ai_gateway_requests_in_flight')).toBe(0)
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
  /** A worker whose registry counts `requests` and holds `inFlight`; `answers: false` never replies. */
  function worker(pid: number, requests: number, options: { answers?: boolean; inFlight?: number; fails?: boolean; delayMs?: number } = {}) {
    const registry = new Registry()
    const counter = new Counter({ name: 'requests_total', help: 'requests', registers: [registry] })
    counter.inc(requests)
    new Gauge({ name: 'in_flight', help: 'in flight', registers: [registry] }).set(options.inFlight ?? 0)
    const collects: number[] = []
    const state = { delayMs: options.delayMs ?? 0, afterAnswer: () => {} }
    return {
      counter,
      collects,
      state,
      peer: (metrics: () => SupervisorMetrics): MetricsPeer => {
        const peer: MetricsPeer = {
          pid,
          send(message) {
            if (message.type !== 'ai-gateway:collect') return
            collects.push(message.id)
            if (options.answers === false) return
            if (options.fails) return metrics().onMessage({ type: 'ai-gateway:collected', id: message.id, error: 'collect failed' }, peer)
            void registry.getMetricsAsJSON().then(async (list) => {
              if (state.delayMs > 0) await Bun.sleep(state.delayMs)
              metrics().onMessage({ type: 'ai-gateway:collected', id: message.id, metrics: list }, peer)
              state.afterAnswer()
            })
          },
        }
        return peer
      },
    }
  }

  function supervisorOf(...workers: Array<ReturnType<typeof worker>>) {
    const peers: MetricsPeer[] = []
    const metrics = createSupervisorMetrics(() => peers, 200)
    for (const { peer } of workers) peers.push(peer(() => metrics))
    const exit = (pid: number) => {
      peers.splice(peers.findIndex((p) => p.pid === pid), 1)
      metrics.workerExited(pid)
    }
    const join = (w: ReturnType<typeof worker>) => peers.push(w.peer(() => metrics))
    return { metrics, exit, join }
  }

  test('sums what every worker counted', async () => {
    expect(await supervisorOf(worker(1, 3), worker(2, 4)).metrics.text()).toContain('requests_total 7\n')
  })

  test('a worker that exits leaves its counted requests in the sum (its in-flight gauge leaves with it); its replacement adds on top', async () => {
    const { metrics, exit, join } = supervisorOf(worker(1, 3, { inFlight: 2 }), worker(2, 4, { inFlight: 1 }))
    const first = await metrics.text()
    expect(first).toContain('requests_total 7\n')
    expect(first).toContain('in_flight 3\n')
    exit(1)
    const down = await metrics.text()
    expect(down).toContain('requests_total 7\n')
    expect(down).toContain('in_flight 1\n')
    join(worker(3, 1))
    expect(await metrics.text()).toContain('requests_total 8\n')
  })

  test('a live worker that does not answer fails the scrape with a 503, rather than a smaller sum that would read as a counter reset', async () => {
    const { metrics } = supervisorOf(worker(1, 3), worker(2, 4, { answers: false }))
    await expect(metrics.text()).rejects.toThrow(new MetricsUnavailable('1 of 2 workers did not answer in 200 ms'))
    const response = await metricsResponse(() => metrics.text())
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: { code: 'metrics_unavailable' } })
  })

  test('a worker that cannot collect fails the scrape at once; one that exits while it is asked ends the wait', async () => {
    const failing = supervisorOf(worker(1, 3), worker(2, 4, { fails: true }))
    const started = performance.now()
    await expect(failing.metrics.text()).rejects.toThrow(MetricsUnavailable)
    const silent = supervisorOf(worker(1, 3), worker(2, 4, { answers: false }))
    const pending = silent.metrics.text()
    silent.exit(2)
    expect(await pending).toContain('requests_total 3\n')
    // Neither waited for the 200 ms timeout.
    expect(performance.now() - started).toBeLessThan(200)
  })

  test('however many workers exit over time, each one’s counts stay in the sum once', async () => {
    const workers = Array.from({ length: 20 }, (_, i) => worker(i + 1, 1))
    const { metrics, exit } = supervisorOf(...workers)
    expect(await metrics.text()).toContain('requests_total 20\n')
    for (const { peer } of workers) {
      exit(peer(() => metrics).pid)
      expect(await metrics.text()).toContain('requests_total 20\n')
    }
  })

  test('a sum of fractions (cost) never falls when the workers answer in another order', async () => {
    const workers = [worker(1, 0.1, { delayMs: 1 }), worker(2, 0.2, { delayMs: 5 }), worker(3, 0.3, { delayMs: 10 })]
    const { metrics } = supervisorOf(...workers)
    const value = (text: string) => Number(text.match(/^requests_total (\S+)$/m)![1])
    const first = value(await metrics.text())
    // (0.1 + 0.2) + 0.3 = 0.6000000000000001; (0.3 + 0.2) + 0.1 = 0.6: a fall Prometheus would take for a reset.
    workers[0]!.state.delayMs = 10
    workers[2]!.state.delayMs = 1
    const second = value(await metrics.text())
    expect(first).toBeCloseTo(0.6, 12)
    expect(second).toBeGreaterThanOrEqual(first)
  })

  test('a worker that exits right after its answer completes a collection is counted once', async () => {
    const leaving = worker(2, 4)
    const { metrics, exit } = supervisorOf(worker(1, 3), leaving)
    expect(await metrics.text()).toContain('requests_total 7\n')
    leaving.state.afterAnswer = () => exit(2)
    expect(await metrics.text()).toContain('requests_total 7\n')
    expect(await metrics.text()).toContain('requests_total 7\n')
  })

  test('scrapes that come while a collection runs share it', async () => {
    const a = worker(1, 3)
    const { metrics } = supervisorOf(a, worker(2, 4))
    const texts = await Promise.all([metrics.text(), metrics.text(), metrics.text()])
    expect(new Set(texts).size).toBe(1)
    expect(a.collects).toHaveLength(1)
  })

  test('a worker asking for the sum gets it back over its channel', async () => {
    const answers: unknown[] = []
    const { metrics } = supervisorOf(worker(1, 2), worker(2, 5))
    metrics.onMessage({ type: 'ai-gateway:metrics?', id: 9 }, { pid: 1, send: (message) => answers.push(message) })
    while (answers.length === 0) await Bun.sleep(5)
    expect(answers).toEqual([{ type: 'ai-gateway:metrics', id: 9, text: expect.stringContaining('requests_total 7\n') }])
  })
})
