import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { DEFAULT_MAX_TOKENS } from '../../../src/providers/anthropic/convert-to-anthropic-request'
import { startGateway, waitForRecords } from '../../support/gateway'
import { MOCK_MESSAGE_ID, startMockAnthropic } from '../../support/mock-anthropic'
import { countEach, sdkStreamOutcome } from '../../support/sdk-stream-outcome'

const mock = startMockAnthropic()
const gateway = startGateway({ ANTHROPIC_BASE_URL: mock.url, FIRST_BYTE_TIMEOUT_MS: '2000', IDLE_TIMEOUT_MS: '10000' })
const impatient = startGateway({ ANTHROPIC_BASE_URL: mock.url, IDLE_TIMEOUT_MS: '300' })
afterAll(() => {
  gateway.stop()
  impatient.stop()
  mock.stop()
})
beforeEach(() => {
  mock.reset()
  gateway.records.length = 0
})

const client = (headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-ant-test-key', defaultHeaders: { 'x-provider': 'anthropic', ...headers }, maxRetries: 0 })

const MODEL = 'claude-sonnet-4-5'
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hello' },
]
/** The mock's default usage (21 uncached + 4 cache reads in, 9 out) in OpenAI's shape. */
const USAGE = { prompt_tokens: 25, completion_tokens: 9, total_tokens: 34, prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 } }
const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const parts: string[] = []
  let finish: string | null = null
  let usage: unknown
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage
    const choice = chunk.choices[0]
    if (choice?.delta.content) parts.push(choice.delta.content)
    if (choice?.finish_reason) finish = choice.finish_reason
  }
  return { parts, finish, usage }
}

describe('OpenAI SDK → gateway → Anthropic Messages API', () => {
  test('a JSON completion is translated both ways; the upstream gets x-api-key, anthropic-version and no authorization', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: MODEL, messages, max_tokens: 50, temperature: 0.3, stop: ['END'], user: 'user-7' })
      .withResponse()
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(data).toEqual({
      id: MOCK_MESSAGE_ID,
      object: 'chat.completion',
      created: expect.any(Number),
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the mock Claude!', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: USAGE,
    } as never)
    expect(Math.abs(data.created - Date.now() / 1000)).toBeLessThan(60)

    const seen = mock.requests[0]!
    expect(seen.path).toBe('/v1/messages')
    expect(seen.search).toBe('')
    expect(seen.headers['x-api-key']).toBe('sk-ant-test-key')
    expect(seen.headers['anthropic-version']).toBe('2023-06-01')
    expect(seen.headers.authorization).toBeUndefined()
    expect(seen.headers['x-provider']).toBeUndefined()
    expect(JSON.parse(seen.body)).toEqual({
      model: MODEL,
      max_tokens: 50,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
      stop_sequences: ['END'],
      temperature: 0.3,
      metadata: { user_id: 'user-7' },
    })
  })

  test('what the translation leaves out reaches the record as warnings; none is an empty list', async () => {
    await client().chat.completions.create({ model: MODEL, messages, seed: 7, logit_bias: { '50256': -100 } })
    expect(JSON.parse(mock.requests[0]!.body)).not.toContainAnyKeys(['seed', 'logit_bias'])
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata.warnings).toEqual(['seed dropped: Anthropic has no equivalent', 'logit_bias dropped: Anthropic has no equivalent'])

    await client().chat.completions.create({ model: MODEL, messages })
    expect((await waitForRecords(gateway, 2))[1]!.attributes.metadata.warnings).toEqual([])
  })

  test("the client's own x-api-key and anthropic-version win; max_tokens defaults when absent", async () => {
    await client({ 'x-api-key': 'sk-ant-own', 'anthropic-version': '2024-01-01' }).chat.completions.create({ model: MODEL, messages })
    const seen = mock.requests[0]!
    expect(seen.headers['x-api-key']).toBe('sk-ant-own')
    expect(seen.headers['anthropic-version']).toBe('2024-01-01')
    expect(JSON.parse(seen.body).max_tokens).toBe(DEFAULT_MAX_TOKENS)
  })

  test('a stream arrives as chat.completion.chunk events, ending with usage and [DONE] although the client asked for no usage', async () => {
    const { data: stream, response } = await client().chat.completions.create({ model: MODEL, messages, stream: true }).withResponse()
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const { parts, finish, usage } = await collect(stream)
    expect(parts).toEqual(['Hello ', 'from ', 'the ', 'mock ', 'Claude!'])
    expect(finish).toBe('stop')
    expect(usage).toEqual(USAGE)
    expect(JSON.parse(mock.requests[0]!.body).stream).toBe(true)
  })

  test('cache writes reach the record and its price, streamed and whole', async () => {
    mock.scenario.usage = { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 1000, cache_read_input_tokens: 4 }
    await collect(await client().chat.completions.create({ model: MODEL, messages, stream: true }))
    await client().chat.completions.create({ model: MODEL, messages })
    const records = await waitForRecords(gateway, 2)
    expect(records).toHaveLength(2)
    for (const record of records) {
      expect(record.attributes.metadata.tokens).toEqual({ input: 1025, output: 9, total: 1034, cached_input: 4, cache_write_input: 1000, reasoning: null })
      // claude-sonnet-4-5 per million: 3 input, 0.3 cache read, 3.75 cache write, 15 output.
      expect(record.attributes.metadata.cost).toBeCloseTo((21 * 3 + 4 * 0.3 + 1000 * 3.75 + 9 * 15) / 1e6, 12)
    }
  })

  test('the raw stream ends with the usage chunk and then data: [DONE]', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-ant-test-key', 'x-provider': 'anthropic' },
      body: JSON.stringify({ model: MODEL, messages, stream: true }),
    })
    const frames = (await response.text()).split('\n\n').filter(Boolean)
    expect(frames.at(-1)).toBe('data: [DONE]')
    expect(JSON.parse(frames.at(-2)!.slice('data: '.length))).toEqual({ id: MOCK_MESSAGE_ID, object: 'chat.completion.chunk', created: expect.any(Number), model: MODEL, choices: [], usage: USAGE })
  })

  test('a tool-call round trip: tool_use comes back as tool_calls, the tool result goes up as tool_result', async () => {
    mock.scenario.content = [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
    ]
    mock.scenario.stopReason = 'tool_use'
    const ask = [{ role: 'user' as const, content: 'Weather in Paris?' }]
    const first = await client().chat.completions.create({ model: MODEL, messages: ask, tools: [weather], tool_choice: 'auto' })
    const call = first.choices[0]!.message.tool_calls![0]!
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    expect(first.choices[0]!.message.content).toBe('Let me check.')
    expect(call).toEqual({ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } })
    expect(JSON.parse(mock.requests[0]!.body)).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: weather.function.parameters }],
      tool_choice: { type: 'auto' },
    })

    mock.scenario.content = [{ type: 'text', text: 'It is 18 degrees.' }]
    mock.scenario.stopReason = 'end_turn'
    const second = await client().chat.completions.create({
      model: MODEL,
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":18}' }],
      tools: [weather],
    })
    expect(second.choices[0]!.message.content).toBe('It is 18 degrees.')
    expect(JSON.parse(mock.requests[1]!.body).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: '{"temp":18}' }] },
    ])
  })

  test("streamed tool calls assemble in the SDK's own stream helper", async () => {
    mock.scenario.content = [
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: { city: 'Rome' } },
    ]
    mock.scenario.stopReason = 'tool_use'
    const runner = client().chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Paris and Rome?' }], tools: [weather], parallel_tool_calls: false })
    const final = await runner.finalChatCompletion()
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'toolu_01B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ] as never)
    expect(JSON.parse(mock.requests[0]!.body).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true })
  })

  test('images: a data URL goes up as base64, an https URL as a url source', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
    await client().chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    })
    expect(JSON.parse(mock.requests[0]!.body).messages[0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
  })

  test('an Anthropic error answer comes back in OpenAI shape with its status', async () => {
    mock.scenario.error = { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit' }
    const error = await client().chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect(error.status).toBe(429)
    expect(error.error).toEqual({ message: 'Number of request tokens has exceeded your rate limit', type: 'rate_limit_error', param: null, code: 'rate_limit_error' })
    expect(error.headers.get('content-type')).toBe('application/json')
  })

  test('a stream request answered with an error is an OpenAI error too', async () => {
    mock.scenario.error = { status: 529, type: 'overloaded_error', message: 'Overloaded' }
    const error = await client().chat.completions.create({ model: MODEL, messages, stream: true }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error.status).toBe(529)
    expect(error.error).toMatchObject({ type: 'overloaded_error', message: 'Overloaded' })
  })

  test('requests Anthropic cannot serve are a 400 in OpenAI shape, and nothing goes upstream', async () => {
    const cases: Array<[object, string]> = [
      [{ model: MODEL }, 'invalid_messages'],
      [{ messages }, 'invalid_model'],
      [{ model: MODEL, messages, n: 3 }, 'unsupported_request'],
      [{ model: MODEL, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }, 'unsupported_request'],
    ]
    for (const [body, code] of cases) {
      const error = await client()
        .chat.completions.create(body as never)
        .catch((e) => e)
      expect(error).toBeInstanceOf(OpenAI.BadRequestError)
      expect(error.error).toMatchObject({ type: 'invalid_request_error', code })
    }
    const notJson = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-provider': 'anthropic', 'content-type': 'text/plain' }, body: 'hello' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
    expect(mock.requests).toHaveLength(0)
  })

  test('an error event mid-stream reaches the client as an APIError after the text before it', async () => {
    mock.scenario.errorEventAfterDeltas = 2
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true })
    const parts: string[] = []
    const error = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
    })().catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error.message).toContain('Overloaded')
    expect(parts).toEqual(['Hello ', 'from '])
  })

  test('100 concurrent streams with an error event: every client gets an APIError with the upstream message, and every record is a stream error', async () => {
    mock.scenario.errorEventAfterDeltas = 2
    const streams = await Promise.all(Array.from({ length: 100 }, () => client().chat.completions.create({ model: MODEL, messages, stream: true })))
    // No client reads before every body has ended on the gateway's side: each then gets only
    // what that ending left on its connection.
    const records = await waitForRecords(gateway, 100)
    expect(records).toHaveLength(100)
    const outcomes = await Promise.all(streams.map(sdkStreamOutcome))
    expect(countEach(outcomes)).toEqual({ 'APIError: Overloaded (overloaded_error)': 100 })
    for (const record of records) {
      expect(record.attributes.metadata).toMatchObject({ status: 'error', error_count: 1, error_type: 'provider_stream_error', provider_error_type: 'overloaded_error', status_code: 200 })
      // The input was billed before the error: its usage is recorded.
      expect(record.attributes.metadata.tokens).toMatchObject({ input: 25, cached_input: 4 })
    }
  })

  test('an upstream that dies mid-stream: the client gets an APIError after the text before it, never a clean end', async () => {
    mock.scenario.dieAfterEvents = 5
    mock.scenario.eventDelayMs = 10
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true })
    const parts: string[] = []
    const outcome = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
      return 'ended'
    })().catch((error) => error)
    expect(outcome).toBeInstanceOf(OpenAI.APIError)
    expect(outcome.constructor.name).toBe('APIError')
    // The failure's code (ECONNRESET, ...), never a URL.
    expect(outcome.error).toMatchObject({ message: expect.stringMatching(/^upstream stream failed: [A-Z_]+$/), type: 'upstream_error', code: 'upstream_stream_error' })
    // Events 0-4: message_start, ping, content_block_start, two text deltas.
    expect(parts).toEqual(['Hello ', 'from '])
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata).toMatchObject({ status: 'error', error_type: 'upstream_stream_error' })
  })

  test('an upstream silent for longer than IDLE_TIMEOUT_MS: the client gets an APIError saying so, the upstream is cancelled, the record says idle timeout', async () => {
    mock.scenario.eventDelayMs = 60_000
    const stream = await new OpenAI({ baseURL: `${impatient.url}/v1`, apiKey: 'sk-ant-test-key', defaultHeaders: { 'x-provider': 'anthropic' }, maxRetries: 0 }).chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
    })
    expect(await sdkStreamOutcome(stream)).toBe('APIError: upstream sent nothing for 300 ms (upstream_stream_error)')
    const [record] = await waitForRecords(impatient, 1)
    expect(record!.attributes.metadata).toMatchObject({ status: 'error', error_type: 'upstream_idle_timeout' })
    const deadline = performance.now() + 2000
    while (mock.cancelledStreams === 0 && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.cancelledStreams).toBe(1)
  })

  test('a client that leaves mid-stream cancels the upstream stream', async () => {
    mock.scenario.content = [{ type: 'text', text: 'word '.repeat(200) }]
    mock.scenario.eventDelayMs = 20
    const controller = new AbortController()
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true }, { signal: controller.signal })
    let seen = 0
    try {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++seen === 2) controller.abort()
    } catch {}
    const deadline = performance.now() + 2000
    while (mock.cancelledStreams === 0 && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.cancelledStreams).toBe(1)
  })
})
