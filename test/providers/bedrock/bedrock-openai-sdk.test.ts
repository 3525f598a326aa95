import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, waitForRecords } from '../../support/gateway'
import { DEFAULT_BEDROCK_SCENARIO, startMockBedrock } from '../../support/mock-bedrock'
import { countEach, sdkStreamOutcome } from '../../support/sdk-stream-outcome'

const ENV_KEY = { id: 'AKIDGATEWAYENV', secret: 'gateway/env/secret/EXAMPLEKEY', token: 'gateway-session-token' }
const CLIENT_KEY = { id: 'AKIDCLIENTHEADER', secret: 'client/header/secret/EXAMPLEKEY' }
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0'
// A 1×1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='

const mock = startMockBedrock({ [ENV_KEY.id]: ENV_KEY.secret, [CLIENT_KEY.id]: CLIENT_KEY.secret })
const gateway = startGateway({
  BEDROCK_BASE_URL: mock.url,
  AWS_ACCESS_KEY_ID: ENV_KEY.id,
  AWS_SECRET_ACCESS_KEY: ENV_KEY.secret,
  AWS_SESSION_TOKEN: ENV_KEY.token,
  AWS_REGION: 'us-west-2',
})
const bare = startGateway({ BEDROCK_BASE_URL: mock.url })
afterAll(() => {
  gateway.stop()
  bare.stop()
  mock.stop()
})
beforeEach(() => {
  mock.reset()
  gateway.records.length = 0
})

const client = (headers: Record<string, string> = {}, url = gateway.url) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-not-for-bedrock', defaultHeaders: { 'x-provider': 'bedrock', ...headers }, maxRetries: 0 })
const messages = [
  { role: 'system' as const, content: 'Answer briefly.' },
  { role: 'user' as const, content: 'Say hello' },
]
const clientHeaders = { 'x-aws-access-key-id': CLIENT_KEY.id, 'x-aws-secret-access-key': CLIENT_KEY.secret, 'x-aws-region': 'eu-central-1' }

function expectNoClientSecretsUpstream() {
  for (const request of mock.requests) {
    for (const name of Object.keys(request.headers)) expect(name).not.toStartWith('x-aws-')
    expect(request.headers.authorization).toStartWith('AWS4-HMAC-SHA256 ')
    expect(request.headers['x-provider']).toBeUndefined()
    expect(JSON.stringify(request.headers)).not.toContain('sk-not-for-bedrock')
  }
}

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const text: string[] = []
  const toolArguments: string[] = []
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
  for await (const chunk of stream) {
    chunks.push(chunk)
    const choice = chunk.choices[0]
    if (choice?.delta.content) text.push(choice.delta.content)
    for (const call of choice?.delta.tool_calls ?? []) toolArguments.push(call.function?.arguments ?? '')
  }
  return { text, toolArguments, chunks }
}

describe('OpenAI SDK → gateway → Bedrock Converse', () => {
  test('a JSON completion: signed with the settings credentials, system prompt kept, answer translated', async () => {
    const { data, response } = await client().chat.completions.create({ model: MODEL, messages, max_tokens: 64, temperature: 0.2 }).withResponse()
    expect(data.object).toBe('chat.completion')
    expect(data.model).toBe(MODEL)
    expect(data.choices[0]!.message.content).toBe(DEFAULT_BEDROCK_SCENARIO.text.join(''))
    expect(data.choices[0]!.finish_reason).toBe('stop')
    expect(data.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 0 } } as never)
    expect(response.headers.get('content-type')).toBe('application/json')

    const seen = mock.requests[0]!
    expect(seen.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse')
    expect(seen.signedBy).toEqual({ accessKeyId: ENV_KEY.id, region: 'us-west-2', service: 'bedrock' })
    expect(seen.headers['x-amz-security-token']).toBe(ENV_KEY.token)
    expect(seen.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
      system: [{ text: 'Answer briefly.' }],
      inferenceConfig: { maxTokens: 64, temperature: 0.2 },
    })
    expectNoClientSecretsUpstream()
  })

  test('a stream: text deltas in order, finish reason, then the usage chunk and [DONE]; cache reads and writes are recorded and priced', async () => {
    mock.scenario.usage = { inputTokens: 5, outputTokens: 4, totalTokens: 29, cacheReadInputTokens: 12, cacheWriteInputTokens: 8 }
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true })
    const { text, chunks } = await collect(stream)
    expect(text).toEqual(DEFAULT_BEDROCK_SCENARIO.text)
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant')
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage).toEqual({ prompt_tokens: 25, completion_tokens: 4, total_tokens: 29, prompt_tokens_details: { cached_tokens: 12, cache_write_tokens: 8 } } as never)
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1)
    expect(mock.requests[0]!.path).toEndWith('/converse-stream')
    expectNoClientSecretsUpstream()
    const [record] = await waitForRecords(gateway, 1)
    expect(record!.attributes.metadata.tokens).toEqual({ input: 25, output: 4, total: 29, cached_input: 12, cache_write_input: 8, reasoning: null })
    // claude-3-haiku per million: 0.25 input, 0.03 cache read, 0.3 cache write, 1.25 output.
    expect(record!.attributes.metadata.cost).toBeCloseTo((5 * 0.25 + 12 * 0.03 + 8 * 0.3 + 4 * 1.25) / 1e6, 12)
  })

  test('the raw SSE ends with the usage chunk then data: [DONE]', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-provider': 'bedrock' },
      body: JSON.stringify({ model: MODEL, messages, stream: true }),
    })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const events = (await response.text()).split('\n\n').filter((e) => e !== '')
    expect(events.at(-1)).toBe('data: [DONE]')
    const usageChunk = JSON.parse(events.at(-2)!.slice('data: '.length))
    expect(Object.keys(usageChunk)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage'])
    expect(usageChunk).toMatchObject({ object: 'chat.completion.chunk', model: MODEL, choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } })
  })

  test('frames cut at every 7 bytes by the network still decode into the same answer', async () => {
    mock.scenario.writeBytes = 7
    const { text } = await collect(await client().chat.completions.create({ model: MODEL, messages, stream: true }))
    expect(text).toEqual(DEFAULT_BEDROCK_SCENARIO.text)
  })

  test('tools: the definitions and tool_choice reach Bedrock; the tool call comes back, JSON and streamed', async () => {
    mock.scenario.text = []
    mock.scenario.stopReason = 'tool_use'
    mock.scenario.toolUse = { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' }, inputChunks: 3 }
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ]
    const request = { model: MODEL, messages, tools, tool_choice: { type: 'function' as const, function: { name: 'get_weather' } } }

    const data = await client().chat.completions.create(request)
    expect(data.choices[0]!.finish_reason).toBe('tool_calls')
    expect(data.choices[0]!.message.tool_calls).toEqual([
      { id: 'tooluse_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } },
    ] as never)
    expect(mock.requests[0]!.body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: tools[0]!.function.parameters } } }],
      toolChoice: { tool: { name: 'get_weather' } },
    })

    const { toolArguments, chunks } = await collect(await client().chat.completions.create({ ...request, stream: true }))
    const start = chunks.find((c) => c.choices[0]?.delta.tool_calls?.[0]?.id)!.choices[0]!.delta.tool_calls![0]!
    expect(start).toMatchObject({ index: 0, id: 'tooluse_abc', type: 'function', function: { name: 'get_weather' } })
    expect(JSON.parse(toolArguments.join(''))).toEqual({ city: 'Paris', unit: 'celsius' })
    expect(toolArguments.filter((a) => a !== '').length).toBe(3)
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls')
  })

  test('a tool round trip: the assistant tool call and the tool result go up as toolUse and toolResult', async () => {
    await client().chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
    })
    expect(mock.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: '18°C' }] } }] },
    ])
  })

  test('an image data URL reaches Bedrock as base64 bytes with its format', async () => {
    await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
    })
    expect(mock.requests[0]!.body.messages[0].content).toEqual([{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: PNG } } }])
  })

  test('credentials and region from x-aws-* headers win over the settings and never go upstream', async () => {
    await client({ ...clientHeaders, 'x-aws-session-token': 'client-session-token' }).chat.completions.create({ model: MODEL, messages })
    const seen = mock.requests[0]!
    expect(seen.signedBy).toEqual({ accessKeyId: CLIENT_KEY.id, region: 'eu-central-1', service: 'bedrock' })
    expect(seen.headers['x-amz-security-token']).toBe('client-session-token')
    expectNoClientSecretsUpstream()
  })

  test('header credentials work on a gateway without AWS settings', async () => {
    const data = await client(clientHeaders, bare.url).chat.completions.create({ model: MODEL, messages })
    expect(data.choices[0]!.message.content).toBe(DEFAULT_BEDROCK_SCENARIO.text.join(''))
    expect(mock.requests[0]!.signedBy.accessKeyId).toBe(CLIENT_KEY.id)
    expect(mock.requests[0]!.headers['x-amz-security-token']).toBeUndefined()
  })

  test('no credentials anywhere: 401 in OpenAI error shape, nothing sent upstream', async () => {
    const error = await client({}, bare.url).chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(error.code).toBe('missing_aws_credentials')
    expect(error.message).toContain('x-aws-access-key-id')
    expect(mock.requests).toHaveLength(0)
    expect(mock.rejected).toHaveLength(0)
  })

  test('half a key pair or a malformed region: 400, nothing sent upstream', async () => {
    const half = await client({ 'x-aws-access-key-id': CLIENT_KEY.id }).chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(half).toBeInstanceOf(OpenAI.BadRequestError)
    expect(half.code).toBe('incomplete_aws_credentials')
    const region = await client({ ...clientHeaders, 'x-aws-region': 'evil.example.com/x' }).chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(region).toBeInstanceOf(OpenAI.BadRequestError)
    expect(region.code).toBe('invalid_aws_region')
    expect(region.message).not.toContain('evil')
    expect(mock.requests).toHaveLength(0)
  })

  test('a wrong secret fails Bedrock signature check: the 403 comes back in OpenAI shape', async () => {
    const error = await client({ ...clientHeaders, 'x-aws-secret-access-key': 'not-the-secret' }).chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect(error.error).toMatchObject({ type: 'authentication_error', code: 'InvalidSignatureException' })
    expect(error.message).toContain('signature we calculated does not match')
    expect(mock.rejected).toHaveLength(1)
  })

  test('an upstream error keeps its status; x-amzn-errortype becomes the code', async () => {
    mock.scenario.error = { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' }
    const error = await client().chat.completions.create({ model: MODEL, messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect(error.error).toEqual({ message: 'Too many requests, please wait before trying again.', type: 'rate_limit_error', param: null, code: 'ThrottlingException' })
  })

  test('an exception frame mid-stream: the client gets the error, never a clean end', async () => {
    mock.scenario.exception = { afterFrames: 3, type: 'modelStreamErrorException', message: 'The model stream failed.' }
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true })
    const text: string[] = []
    const outcome = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) text.push(chunk.choices[0].delta.content)
      return 'ended cleanly'
    })().catch((error) => error)
    expect(outcome).toBeInstanceOf(OpenAI.APIError)
    expect(outcome.message).toContain('The model stream failed.')
    expect(outcome.error).toMatchObject({ code: 'modelStreamErrorException', type: 'server_error' })
    // messageStart and two text deltas came before the exception.
    expect(text).toEqual(DEFAULT_BEDROCK_SCENARIO.text.slice(0, 2))
  })

  test('100 concurrent streams cut by an exception frame: every client gets an APIError with the upstream message, and every record is a stream error', async () => {
    mock.scenario.exception = { afterFrames: 3, type: 'modelStreamErrorException', message: 'The model stream failed.' }
    const streams = await Promise.all(Array.from({ length: 100 }, () => client().chat.completions.create({ model: MODEL, messages, stream: true })))
    // No client reads before every body has ended on the gateway's side: each then gets only
    // what that ending left on its connection.
    const records = await waitForRecords(gateway, 100)
    expect(records).toHaveLength(100)
    const outcomes = await Promise.all(streams.map(sdkStreamOutcome))
    expect(countEach(outcomes)).toEqual({ 'APIError: The model stream failed. (modelStreamErrorException)': 100 })
    for (const record of records) {
      expect(record.attributes.metadata).toMatchObject({ status: 'error', error_count: 1, error_type: 'provider_stream_error', provider_error_type: 'server_error', status_code: 200 })
    }
  })

  test('on the wire, an exception frame becomes the last event, and the body then ends without [DONE]', async () => {
    mock.scenario.exception = { afterFrames: 2, type: 'throttlingException', message: 'Slow down.' }
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-provider': 'bedrock' },
      body: JSON.stringify({ model: MODEL, messages, stream: true }),
    })
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'ended cleanly'
        text += decoder.decode(value, { stream: true })
      }
    })().catch(() => 'failed')
    // Erroring the body would make Bun reset the connection and drop the error event with it.
    expect(outcome).toBe('ended cleanly')
    const events = text.split('\n\n').filter((e) => e !== '')
    expect(events).toHaveLength(3)
    expect(JSON.parse(events[2]!.slice('data: '.length))).toEqual({ error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: 'throttlingException' } })
  })

  test('a client that leaves mid-stream cancels the Bedrock stream', async () => {
    mock.scenario.text = Array.from({ length: 200 }, (_, i) => `w${i} `)
    mock.scenario.writeDelayMs = 20
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

  test('a request Bedrock cannot serve is a 400 before anything goes upstream', async () => {
    const error = await client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error.message).toContain('data URL')
    expect(mock.requests).toHaveLength(0)
  })

  test('other routes are a 404 in OpenAI error shape', async () => {
    const error = await client().embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: 'x' }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.NotFoundError)
    expect(error.code).toBe('unsupported_route')
    expect(mock.requests).toHaveLength(0)
  })
})
