import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, waitForRecords, type RunningGateway } from '../support/gateway'
import { startGatewayProcess } from '../support/gateway-process'
import { startMockOpenAI } from '../support/mock-openai'
import { httpRequest, rawRequest } from '../support/raw-http'

const messages = [{ role: 'user' as const, content: 'hi' }]
const chat = (stream = false) => JSON.stringify({ model: 'gpt-4o-mini', messages, stream })
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test' }

/** A port that was just free: nothing listens there, so connecting is refused. */
function closedPortUrl(): string {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const url = `http://127.0.0.1:${server.port}`
  server.stop(true)
  return url
}

async function lastRecord(gateway: RunningGateway, count: number) {
  const records = await waitForRecords(gateway, count)
  expect(records).toHaveLength(count)
  return records[count - 1]!.attributes
}

describe('an upstream that cannot be reached', () => {
  const gateway = startGateway({
    OPENAI_BASE_URL: closedPortUrl(),
    // RFC 6761: .invalid never resolves.
    GROQ_BASE_URL: 'http://api.ai-gateway-test.invalid',
    FIRST_BYTE_TIMEOUT_MS: '20000',
  })
  afterAll(() => gateway.stop())

  test('connection refused → 502 JSON, recorded as an error', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body: chat() })
    expect(response.status).toBe(502)
    const body = (await response.json()) as any
    expect(body.error).toMatchObject({ type: 'upstream_error', code: 'upstream_unreachable' })
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status: 'error', status_code: 502, error_type: 'upstream_unreachable', provider_status_code: null })
  })

  test('DNS failure (.invalid host) → 502 JSON through the OpenAI SDK', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { 'x-provider': 'groq' } })
    const error = await client.chat.completions.create({ model: 'llama', messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error.status).toBe(502)
    expect(error.error).toMatchObject({ code: 'upstream_unreachable' })
    const record = await lastRecord(gateway, 2)
    expect(record).toMatchObject({ provider: 'groq', metadata: { status: 'error', status_code: 502 } })
  })
})

describe('an upstream that misbehaves', () => {
  const mock = startMockOpenAI()
  const gateway = startGateway({ OPENAI_BASE_URL: mock.url, FIRST_BYTE_TIMEOUT_MS: '300', IDLE_TIMEOUT_MS: '20000' })
  afterAll(() => {
    gateway.stop()
    mock.stop()
  })
  beforeEach(() => {
    mock.reset()
    gateway.records.length = 0
  })

  test('no answer before the first-byte timeout → 504 JSON, and the upstream call is abandoned', async () => {
    mock.scenario.headerDelayMs = 3000
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body: chat() })
    expect(response.status).toBe(504)
    expect(((await response.json()) as any).error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' })
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status: 'error', status_code: 504, error_type: 'upstream_timeout' })
    // The gateway closed its upstream request then, long before the upstream's 3 s were up.
    const deadline = performance.now() + 2000
    while (mock.abandonedRequests === 0 && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.abandonedRequests).toBe(1)
  })

  test('the upstream dies mid-stream: the client sees a failure, never a clean end or a fake [DONE]', async () => {
    mock.scenario.chunks = 6
    mock.scenario.dieAfterChunks = 2
    // Paced, so the headers and first chunks are on the wire before the upstream dies.
    mock.scenario.chunkDelayMs = 20
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body: chat(true) })
    expect(response.status).toBe(200)
    let text = ''
    const decoder = new TextDecoder()
    let failed = false
    try {
      for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true })
    } catch {
      failed = true
    }
    // Either the connection is cut or an error event closes the stream; [DONE] never comes.
    expect(failed || text.includes('"error"')).toBe(true)
    expect(text).not.toContain('[DONE]')
    expect(text).toContain('word1')
    const record = await lastRecord(gateway, 1)
    expect(record.metadata.status).toBe('error')
    expect(record.metadata.error_type).not.toBeNull()
  })

  test('the same death through the OpenAI SDK makes it throw, never end as if complete', async () => {
    mock.scenario.chunks = 6
    mock.scenario.dieAfterChunks = 3
    mock.scenario.chunkDelayMs = 20
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test', maxRetries: 0 })
    let finish: string | null | undefined
    const error = await (async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      for await (const chunk of stream) finish ??= chunk.choices[0]?.finish_reason
    })().catch((e) => e)
    expect(error).toBeInstanceOf(Error)
    expect(finish).toBeFalsy()
  })

  test('an upstream error status is passed on with its body, and recorded as the provider error', async () => {
    mock.scenario.error = { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers, body: chat() })
    expect(response.status).toBe(429)
    expect(await response.json()).toEqual({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } })
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status: 'error', status_code: 429, provider_status_code: 429 })
  })

})

describe('several hundred concurrent streams', () => {
  // A real gateway process: the test's own fetch shares Bun's per-process cap, so the clients
  // speak raw HTTP over their own sockets, and only the gateway's fetch limit is under test.
  const mock = startMockOpenAI()
  afterAll(() => mock.stop())

  test('400 streams (more than Bun fetch’s default 256) are all open upstream at once and all complete', async () => {
    const gateway = await startGatewayProcess({ OPENAI_BASE_URL: mock.url })
    try {
      const count = 400
      mock.scenario.barrier = count
      mock.scenario.chunks = 3
      const results = await Promise.all(Array.from({ length: count }, () => rawRequest(gateway.url, httpRequest('POST', '/v1/chat/completions', headers, chat(true)), 20_000)))
      // The mock holds every answer until all 400 wait at once: had any been queued, none would finish.
      expect(mock.peakConcurrency).toBe(count)
      expect(results.filter((r) => r.status === 200 && r.body.endsWith('data: [DONE]\n\n'))).toHaveLength(count)
    } finally {
      await gateway.terminate()
    }
  }, 30_000)
})

describe('an upstream that answers oddly is passed on faithfully and recorded truthfully', () => {
  const odd = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      const path = new URL(request.url).pathname
      if (path === '/garbage/v1/chat/completions') return new Response(new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x80]), { headers: { 'content-type': 'application/octet-stream' } })
      if (path === '/html/v1/chat/completions') return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } })
      // Some OpenAI-compatible servers answer 200 with an error object.
      return Response.json({ error: { message: 'model overloaded', type: 'server_error', code: null } })
    },
  })
  const base = `http://127.0.0.1:${odd.port}`
  const gateway = startGateway({ OPENAI_BASE_URL: `${base}/garbage`, GROQ_BASE_URL: `${base}/html`, TOGETHER_BASE_URL: `${base}/error200` })
  afterAll(() => {
    gateway.stop()
    odd.stop(true)
  })
  beforeEach(() => void (gateway.records.length = 0))

  const send = (provider: string) => fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { ...headers, 'x-provider': provider }, body: chat() })

  test('binary garbage: the same bytes and content type come back', async () => {
    const response = await send('openai')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0x00, 0xff, 0x13, 0x37, 0x80])
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status_code: 200, response_size: 5 })
  })

  test('an HTML 502 page: passed on as is, recorded as a provider error', async () => {
    const response = await send('groq')
    expect(response.status).toBe(502)
    expect(response.headers.get('content-type')).toBe('text/html')
    expect(await response.text()).toBe('<html><body>502 Bad Gateway</body></html>')
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status: 'error', status_code: 502, provider_status_code: 502 })
  })

  test('200 with an error body: passed on as is, recorded with the status the client got', async () => {
    const response = await send('together')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ error: { message: 'model overloaded', type: 'server_error', code: null } })
    const record = await lastRecord(gateway, 1)
    expect(record.metadata).toMatchObject({ status_code: 200, provider_status_code: 200 })
    expect(record.response).toEqual({ error: { message: 'model overloaded', type: 'server_error', code: null } })
  })
})
