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
  const cases = [
    { name: 'passed through', provider: 'openai', head: '{"id":"chatcmpl-cut","choices":[', model: 'gpt-4o-mini' },
    // Not a 200 whose translation dies half-way: the answer is read whole before it is translated.
    { name: 'translated (Anthropic for an OpenAI client)', provider: 'anthropic', head: '{"id":"msg_cut","type":"message","content":[', model: 'claude-sonnet-4-5' },
  ]
  for (const { name, provider, head, model } of cases) {
    test(`${name}: a 502 in OpenAI shape, since no header has gone out yet, and recorded as an error`, async () => {
      const upstream = Bun.listen({
        hostname: '127.0.0.1',
        port: 0,
        socket: {
          data(socket) {
            socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n${head}`)
            socket.end()
          },
        },
      })
      const cut = startGateway({ [`${provider.toUpperCase()}_BASE_URL`]: `http://127.0.0.1:${upstream.port}` })
      try {
        const response = await fetch(`${cut.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-provider': provider, authorization: 'Bearer sk-test' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        })
        expect(response.status).toBe(502)
        expect(((await response.json()) as any).error).toMatchObject({ code: 'upstream_stream_error' })
        const [record] = await waitForRecords(cut, 1)
        expect(record!.attributes.metadata).toMatchObject({ status: 'error', status_code: 502, provider_status_code: 200, error_type: 'upstream_stream_error' })
      } finally {
        cut.stop()
        upstream.stop(true)
      }
    })
  }
})

/** A loopback upstream that writes `head` (and then `rest`, when released) as raw HTTP, and notes when its socket closes. */
function rawUpstream(head: Uint8Array | string, rest?: Uint8Array) {
  let release = () => {}
  let isReleased = false
  const released = new Promise<void>((resolve) => (release = resolve)).then(() => void (isReleased = true))
  let closed = false
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket) {
        socket.write(head)
        if (rest !== undefined) void released.then(() => socket.end(rest))
      },
      close: () => void (closed = true),
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, release, released: () => isReleased, closed: () => closed, stop: () => server.stop(true) }
}

describe('an answer the whole-body read must not take', () => {
  test('a compressed JSON answer is streamed, not read whole: its declared length is the compressed one', async () => {
    const json = JSON.stringify({ id: 'chatcmpl-gz', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(50_000) }, finish_reason: 'stop' }] })
    const gzipped = Bun.gzipSync(json)
    const half = gzipped.byteLength >> 1
    const head = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${gzipped.byteLength}\r\n\r\n`), gzipped.subarray(0, half)])
    const upstream = rawUpstream(head, gzipped.subarray(half))
    const gateway = startGateway({ OPENAI_BASE_URL: upstream.url })
    try {
      // The upstream holds the second half back until the client has the headers (or 3 s have passed).
      const fallback = setTimeout(upstream.release, 3000)
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' })
      const headersWhileHeld = !upstream.released()
      upstream.release()
      clearTimeout(fallback)
      expect(headersWhileHeld).toBe(true)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-encoding')).toBeNull()
      expect(await response.text()).toBe(json)
      const [record] = await waitForRecords(gateway, 1)
      expect(record!.attributes.metadata).toMatchObject({ status: 'success', finish_reason: 'stop', response_size: json.length })
    } finally {
      gateway.stop()
      upstream.stop()
    }
  })

  test('an upstream status that is no HTTP status (999) is a 502, and the upstream connection is closed', async () => {
    const upstream = rawUpstream('HTTP/1.1 999 Odd\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n5\r\ndata:\r\n', new Uint8Array())
    const gateway = startGateway({ OPENAI_BASE_URL: upstream.url }, { captureLogs: true })
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[],"stream":true}' })
      expect(response.status).toBe(502)
      expect(((await response.json()) as any).error).toMatchObject({ type: 'upstream_error', code: 'upstream_invalid_status', message: 'upstream answered with status 999, which is no HTTP status' })
      const [record] = await waitForRecords(gateway, 1)
      expect(record!.attributes.metadata).toMatchObject({ status: 'error', status_code: 502, error_type: 'upstream_invalid_status' })
      const deadline = performance.now() + 2000
      while (!upstream.closed() && performance.now() < deadline) await Bun.sleep(10)
      expect(upstream.closed()).toBe(true)
      expect(gateway.logs.join('\n')).not.toContain('unexpected error')
    } finally {
      gateway.stop()
      upstream.stop()
    }
  })
})

describe('a client that leaves while it uploads its request', () => {
  test('is recorded as a client abort (499), not as a failure of the gateway, and logs no error', async () => {
    const gateway = startGateway({ OPENAI_BASE_URL: mock.url }, { captureLogs: true })
    try {
      const { port } = new URL(gateway.url)
      const socket = await Bun.connect({ hostname: '127.0.0.1', port: Number(port), socket: { data() {} } })
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":"g')
      await Bun.sleep(50)
      socket.end()
      const [record] = await waitForRecords(gateway, 1)
      // Nobody received the error body the gateway wrote: none is counted as sent.
      expect(record!.attributes.metadata).toMatchObject({ status: 'error', status_code: 499, error_type: 'client_abort', response_size: 0 })
      expect(gateway.logs.filter((line) => line.includes('"level":"error"'))).toEqual([])
      expect(mock.requests.length).toBe(0)
    } finally {
      gateway.stop()
    }
  })
})

describe('an upstream that drops the connection after the stream has ended', () => {
  const chunked = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`
  const events = [
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n',
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
    'data: [DONE]\n\n',
  ]

  /** Reads the stream; once `until` has arrived, the upstream closes its socket without the chunked body's last chunk. */
  async function readThenDrop(response: Response, upstream: ReturnType<typeof rawUpstream>, until: string): Promise<string> {
    const decoder = new TextDecoder()
    let text = ''
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk, { stream: true })
      if (text.includes(until)) upstream.release()
    }
    return text
  }

  /** A stream of `sent` events whose upstream, once the client has read `until`, closes its socket without the chunked body's last chunk. */
  async function dropAfter(sent: string[], until: string) {
    const upstream = rawUpstream(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${sent.map(chunked).join('')}`, new Uint8Array())
    const gateway = startGateway({ OPENAI_BASE_URL: upstream.url })
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[],"stream":true}' })
      const text = await readThenDrop(response, upstream, until)
      const [record] = await waitForRecords(gateway, 1)
      return { text, metadata: record!.attributes.metadata }
    } finally {
      gateway.stop()
      upstream.stop()
    }
  }

  test('after [DONE]: the client gets the stream as it was, no error event, and the record is a success', async () => {
    const { text, metadata } = await dropAfter(events, '[DONE]')
    expect(text).toBe(events.join(''))
    expect(metadata).toMatchObject({ status: 'success', error_type: null, finish_reason: 'stop', tokens: { input: 3, output: 1, total: 4 } })
  })

  test('translated (Anthropic for an OpenAI client), after message_stop: the same clean end, and a success', async () => {
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
    const anthropicEvents = [
      event('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }),
      event('message_stop', {}),
    ]
    const upstream = rawUpstream(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${anthropicEvents.map(chunked).join('')}`, new Uint8Array())
    const gateway = startGateway({ ANTHROPIC_BASE_URL: upstream.url })
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-provider': 'anthropic', 'x-api-key': 'sk-ant-test' },
        body: '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}],"stream":true}',
      })
      const text = await readThenDrop(response, upstream, '[DONE]')
      expect(text.trimEnd()).toEndWith('data: [DONE]')
      expect(text).not.toContain('"error"')
      const [record] = await waitForRecords(gateway, 1)
      expect(record!.attributes.metadata).toMatchObject({ status: 'success', error_type: null, finish_reason: 'stop', tokens: { input: 10, output: 5 } })
    } finally {
      gateway.stop()
      upstream.stop()
    }
  })

  const cutShort: Array<[string, string[], string]> = [
    ['after a finish reason but before the usage chunk and [DONE] (the rest was to come)', events.slice(0, 2), '"stop"'],
    ['before any closing event', events.slice(0, 1), '"hi"'],
  ]
  for (const [name, sent, until] of cutShort) {
    test(`${name}: still a failure, an error event ends the stream and the record says so`, async () => {
      const { text, metadata } = await dropAfter(sent, until)
      expect(text).toStartWith(sent.join(''))
      expect(JSON.parse(lastEvent(text).slice('data: '.length)).error).toMatchObject({ code: 'upstream_stream_error' })
      expect(metadata).toMatchObject({ status: 'error', error_type: 'upstream_stream_error' })
    })
  }
})
