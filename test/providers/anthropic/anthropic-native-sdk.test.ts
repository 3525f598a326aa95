import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway } from '../../support/gateway'
import { mockMessage, startMockAnthropic } from '../../support/mock-anthropic'

const mock = startMockAnthropic()
const gateway = startGateway({ ANTHROPIC_BASE_URL: mock.url, FIRST_BYTE_TIMEOUT_MS: '2000', IDLE_TIMEOUT_MS: '10000' })
afterAll(() => {
  gateway.stop()
  mock.stop()
})
beforeEach(() => mock.reset())

/** The headers the SDK itself sent on its last request, to compare with what reached the upstream. */
let clientSent: Headers = new Headers()
const recordingFetch = ((input: string | URL | Request, init?: RequestInit) => {
  clientSent = new Headers(init?.headers)
  return fetch(input, init)
}) as typeof fetch
const client = () =>
  new Anthropic({ baseURL: gateway.url, apiKey: 'sk-ant-native-key', defaultHeaders: { 'x-provider': 'anthropic', 'anthropic-beta': 'tools-2024-04-04' }, maxRetries: 0, fetch: recordingFetch })

const MODEL = 'claude-mock-model'
const params = { model: MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say hello' }] }

describe('Anthropic SDK → gateway → Anthropic, native /v1/messages', () => {
  test('a JSON answer passes through byte-identical, with the client headers as they were', async () => {
    const response = await client().messages.create(params).asResponse()
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(mock.sent[0]!)
    const seen = mock.requests[0]!
    expect(seen.path).toBe('/v1/messages')
    // The credential goes up in the header the SDK chose (this SDK: Authorization: Bearer).
    const credential = clientSent.get('x-api-key') ?? clientSent.get('authorization')
    expect(credential).toContain('sk-ant-native-key')
    for (const name of ['authorization', 'x-api-key', 'anthropic-version', 'anthropic-beta', 'content-type']) {
      expect(seen.headers[name]).toBe(clientSent.get(name) ?? (undefined as never))
    }
    expect(seen.headers['anthropic-beta']).toBe('tools-2024-04-04')
    expect(seen.headers['x-provider']).toBeUndefined()
    expect(seen.headers['x-stainless-lang']).toBeUndefined()
    // The body goes up as the client sent it: no translation on the native route.
    expect(JSON.parse(seen.body)).toEqual(params)
  })

  test('the SDK reads the passed-through message', async () => {
    const message = await client().messages.create(params)
    expect(message).toEqual(mockMessage(mock.scenario, MODEL) as never)
  })

  test('a stream passes through byte-identical', async () => {
    const response = await client()
      .messages.create({ ...params, stream: true })
      .asResponse()
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(await response.text()).toBe(mock.sent[0]!)
  })

  test("the SDK's stream helper assembles the passed-through events", async () => {
    mock.scenario.content = [
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ]
    mock.scenario.stopReason = 'tool_use'
    const final = await client().messages.stream(params).finalMessage()
    expect(final.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ] as never)
    expect(final.stop_reason).toBe('tool_use')
    expect(final.usage.output_tokens).toBe(9)
  })

  test('an Anthropic error passes through in its own shape and status', async () => {
    mock.scenario.error = { status: 529, type: 'overloaded_error', message: 'Overloaded' }
    const error = await client()
      .messages.create(params)
      .catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.APIError)
    expect(error.status).toBe(529)
    expect(error.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_mock_error' })
  })

  test("an error the gateway raises on /v1/messages is in Anthropic's shape", async () => {
    const error = await client()
      .messages.create({ ...params, model: '' })
      .catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    expect(mock.requests).toHaveLength(0)
  })
})
