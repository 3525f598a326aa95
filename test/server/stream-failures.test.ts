import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, waitForRecords } from '../support/gateway'
import { chunkTexts, startMockOpenAI } from '../support/mock-openai'

const mock = startMockOpenAI()
const gateway = startGateway({ OPENAI_BASE_URL: mock.url, IDLE_TIMEOUT_MS: '400' })
afterAll(() => {
  gateway.stop()
  mock.stop()
})
beforeEach(() => {
  mock.reset()
  gateway.records.length = 0
})

const streamRequest = () =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  })

const lastEvent = (text: string) => text.trim().split(/\n\n+/).at(-1)!

describe('a stream whose upstream fails', () => {
  test('an upstream that dies mid-stream ends with an OpenAI error event, never [DONE], and is recorded as an error', async () => {
    mock.scenario.chunks = 10
    mock.scenario.dieAfterChunks = 3
    mock.scenario.chunkDelayMs = 10
    const text = await (await streamRequest()).text()
    for (const part of chunkTexts(3)) expect(text).toContain(JSON.stringify(part))
    expect(text).not.toContain('[DONE]')
    const error = JSON.parse(lastEvent(text).slice('data: '.length)).error
    expect(error).toMatchObject({ type: 'upstream_error', code: 'upstream_stream_error' })
    expect(error.message).not.toContain('127.0.0.1')
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata).toMatchObject({ status: 'error', error_type: 'upstream_stream_error', error_count: 1, status_code: 200 })
  })

  test('an upstream silent for longer than IDLE_TIMEOUT_MS is cut: error event, upstream cancelled, idle timeout recorded', async () => {
    mock.scenario.silenceAfterFirstChunkMs = 5000
    const text = await (await streamRequest()).text()
    expect(text).not.toContain('[DONE]')
    expect(JSON.parse(lastEvent(text).slice('data: '.length)).error.message).toBe('upstream sent nothing for 400 ms')
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata).toMatchObject({ status: 'error', error_type: 'upstream_idle_timeout' })
    const deadline = performance.now() + 2000
    while (mock.cancelledStreams === 0 && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.cancelledStreams).toBe(1)
  })

  test('a client that leaves is recorded as a client abort with status 499', async () => {
    mock.scenario.chunks = 50
    mock.scenario.chunkDelayMs = 30
    const controller = new AbortController()
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
    })
    const reader = response.body!.getReader()
    await reader.read()
    controller.abort()
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata).toMatchObject({ status: 'error', error_type: 'client_abort', status_code: 499 })
  })
})

describe('telemetry never breaks a stream', () => {
  test('an event the usage parser cannot read passes to the client untouched and the request is still recorded', async () => {
    const upstream = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        new Response('data: {"choices":[null]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', {
          headers: { 'content-type': 'text/event-stream' },
        }),
    })
    const odd = startGateway({ OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}` })
    try {
      const response = await fetch(`${odd.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
      })
      expect(await response.text()).toContain('data: [DONE]')
      const [record] = await waitForRecords(odd, 1)
      expect(record!.attributes.metadata).toMatchObject({ status: 'success', finish_reason: 'stop' })
    } finally {
      odd.stop()
      upstream.stop(true)
    }
  })
})

describe('a JSON answer whose body breaks before its end', () => {
  test('is a 502 in OpenAI shape, since no header has gone out yet, and is recorded as an error', async () => {
    const upstream = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        data(socket) {
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"id":"chatcmpl-cut","choices":[')
          socket.end()
        },
      },
    })
    const cut = startGateway({ OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}` })
    try {
      const response = await fetch(`${cut.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' })
      expect(response.status).toBe(502)
      expect(((await response.json()) as any).error).toMatchObject({ code: "upstream_stream_error" })
      const [record] = await waitForRecords(cut, 1)
      expect(record!.attributes.metadata).toMatchObject({ status: 'error', status_code: 502, provider_status_code: 200, error_type: 'upstream_stream_error' })
    } finally {
      cut.stop()
      upstream.stop(true)
    }
  })
})
