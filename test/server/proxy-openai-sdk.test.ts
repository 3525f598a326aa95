import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { chunkTexts, completion, MOCK_USAGE, startMockOpenAI } from '../support/mock-openai'
import { startGateway } from '../support/gateway'

const mock = startMockOpenAI()
const gateway = startGateway({
  OPENAI_BASE_URL: mock.url,
  // A base URL with a path prefix, as Groq's is: the /v1/... path goes after it.
  GROQ_BASE_URL: `${mock.url}/openai`,
  FIRST_BYTE_TIMEOUT_MS: '1000',
  IDLE_TIMEOUT_MS: '20000',
})
afterAll(() => {
  gateway.stop()
  mock.stop()
})
beforeEach(() => mock.reset())

const client = (headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-client-key', defaultHeaders: headers, maxRetries: 0 })

const messages = [{ role: 'user' as const, content: 'Say hello' }]

describe('OpenAI SDK through the gateway', () => {
  test('a JSON completion equals the upstream answer and reaches the upstream path with the client key', async () => {
    const { data, response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
    expect(data).toEqual(completion(chunkTexts(5).join('')) as never)
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.headers.get('x-upstream-request-id')).toBeNull()
    const seen = mock.requests[0]!
    expect(seen.path).toBe('/v1/chat/completions')
    expect(seen.headers.authorization).toBe('Bearer sk-test-client-key')
    expect(JSON.parse(seen.body)).toEqual({ model: 'gpt-4o-mini', messages })
  })

  test('a stream delivers every chunk the upstream sent, in order, with usage', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } })
    const parts: string[] = []
    let usage: unknown
    let finish: string | null | undefined
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage
      const choice = chunk.choices[0]
      if (choice?.delta.content) parts.push(choice.delta.content)
      if (choice?.finish_reason) finish = choice.finish_reason
    }
    expect(parts).toEqual(chunkTexts(5))
    expect(finish).toBe('stop')
    expect(usage).toEqual(MOCK_USAGE)
  })

  test('include_usage: false is obeyed: no usage chunk, and the record says the counts are unknown', async () => {
    const { data: stream, response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: false } }).withResponse()
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(JSON.parse(mock.requests[0]!.body).stream_options).toEqual({ include_usage: false })
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).filter(Boolean)).toEqual(chunkTexts(5))
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage == null)).toBe(true)
    const id = response.headers.get('x-request-id')
    // The record is finished once the body has ended, which may come just after the client's last read.
    const recordOf = () => gateway.records.find((r) => r.attributes.id === id)
    for (let waited = 0; recordOf() === undefined && waited < 5000; waited += 5) await Bun.sleep(5)
    const record = recordOf()!
    expect(record.attributes.metadata.tokens.total).toBeNull()
    expect(record.attributes.metadata.cost).toBeNull()
    expect(record.attributes.metadata.finish_reason).toBe('stop')
  })

  test('chunks arrive as the upstream sends them, not all at the end', async () => {
    mock.scenario.chunks = 6
    mock.scenario.chunkDelayMs = 150
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const arrivals: number[] = []
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now())
    expect(arrivals).toHaveLength(6)
    // 7+ upstream pauses of 150 ms lie between the first and last content chunk.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(600)
  })

  test('x-provider picks the provider, case-insensitively, and keeps the base URL path prefix', async () => {
    await client({ 'x-provider': 'GROQ' }).chat.completions.create({ model: 'llama-3.3-70b-versatile', messages })
    expect(mock.requests[0]!.path).toBe('/openai/v1/chat/completions')
  })

  test('the query string reaches the upstream unchanged', async () => {
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages }, { query: { 'api-version': '2024-10-21' } })
    expect(mock.requests[0]!.search).toBe('?api-version=2024-10-21')
  })

  test('an unknown provider is a 400 in OpenAI error shape naming the known providers', async () => {
    const error = await client({ 'x-provider': 'nope' })
      .chat.completions.create({ model: 'x', messages })
      .catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error.status).toBe(400)
    expect(error.code).toBe('unknown_provider')
    expect(error.message).toContain('openai, groq')
    expect(mock.requests).toHaveLength(0)
  })

  test('an upstream error keeps its status and body', async () => {
    mock.scenario.error = { status: 401, message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' }
    const error = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(error.code).toBe('invalid_api_key')
    expect(error.message).toContain('Incorrect API key provided')
  })

  test('a gzip-encoded upstream answer reaches the client intact', async () => {
    mock.scenario.gzip = true
    const { data, response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
    expect(data.choices[0]!.message.content).toBe(chunkTexts(5).join(''))
    expect(response.headers.get('content-encoding')).toBeNull()
  })

  test('a client that leaves mid-stream cancels the upstream stream within a second', async () => {
    mock.scenario.chunks = 100
    mock.scenario.chunkDelayMs = 50
    const controller = new AbortController()
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }, { signal: controller.signal })
    let seen = 0
    try {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++seen === 2) controller.abort()
    } catch {}
    const deadline = performance.now() + 1000
    while (mock.cancelledStreams === 0 && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.cancelledStreams).toBe(1)
  })

  test('no answer before the first-byte timeout is a 504 in OpenAI error shape', async () => {
    mock.scenario.headerDelayMs = 3000
    const error = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e) => e)
    expect(error.status).toBe(504)
    expect(error.error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' })
  })

  test('a stream silent for longer than the server’s idle timeout survives: the proxy lifts it for its requests', async () => {
    // Bun would close a connection idle for 2 s; the stream is silent for 4.
    const shortIdle = startGateway({ OPENAI_BASE_URL: mock.url, IDLE_TIMEOUT_MS: '20000' }, { idleTimeoutSeconds: 2 })
    try {
      mock.scenario.silenceAfterFirstChunkMs = 4000
      const shortIdleClient = new OpenAI({ baseURL: `${shortIdle.url}/v1`, apiKey: 'sk-test-client-key', maxRetries: 0 })
      const stream = await shortIdleClient.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      const parts: string[] = []
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
      expect(parts).toEqual(chunkTexts(5))
    } finally {
      shortIdle.stop()
    }
  }, 15_000)

  test('an upstream that dies mid-stream makes the client stream fail, never end cleanly', async () => {
    mock.scenario.chunks = 10
    mock.scenario.dieAfterChunks = 3
    mock.scenario.chunkDelayMs = 20
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const parts: string[] = []
    const outcome = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
      return 'ended'
    })().catch(() => 'failed')
    expect(outcome).toBe('failed')
    expect(parts).toEqual(chunkTexts(10).slice(0, 3))
  })
})
