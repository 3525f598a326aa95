import { describe, expect, test } from 'bun:test'
import type { BodyEnd } from '../../src/streaming/body-tap'
import { createPricing, EMBEDDED_PRICES } from '../../src/telemetry/pricing'
import type { RequestRecord } from '../../src/telemetry/request-record'
import { RequestTelemetry, type FinishedRequest, type RecordContext } from '../../src/telemetry/request-telemetry'
import { randomChunkings } from '../support/chunking'
import { anthropicErrorEvent, anthropicTextAndTool, cutInsideEvent } from './response/stream-fixtures'

const encoder = new TextEncoder()
const UNKNOWN = { input: null, output: null, total: null, cached_input: null, cache_write_input: null, reasoning: null }

interface Emitted {
  finished: FinishedRequest
  record: RequestRecord
  pricedModel: string | null
}

/** One request's telemetry with a context that captures what it emits, and the clock readings around each step. */
function begin(options: { headers?: Record<string, string>; maxPayloadBytes?: number; path?: string; startedAgoMs?: number } = {}) {
  const emitted: Emitted[] = []
  const context: RecordContext = {
    serviceVersion: '1.2.3',
    deploymentEnvironment: 'staging',
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    pricing: createPricing(EMBEDDED_PRICES),
    emit: (finished) => void emitted.push({ finished, record: finished.document(), pricedModel: finished.pricedModel }),
  }
  const epochBefore = Date.now()
  const startedAt = performance.now() - (options.startedAgoMs ?? 0)
  const telemetry = new RequestTelemetry(context, 'req-0192', 'POST', options.path ?? '/v1/chat/completions', new Headers(options.headers), startedAt)
  const epochAfter = Date.now()
  const around = (step: () => void): [number, number] => {
    const before = performance.now()
    step()
    return [before, performance.now()]
  }
  return { telemetry, emitted, startedAt, epochBefore, epochAfter, around }
}

/** A request body as the proxy notes it: bytes for the size, the parsed JSON once. */
function noteRequest(telemetry: RequestTelemetry, provider: string, json: Record<string, unknown>) {
  telemetry.provider = provider
  telemetry.requestJson = json
  telemetry.requestSize = encoder.encode(JSON.stringify(json)).byteLength
  telemetry.stream = json.stream === true
  telemetry.requestModel = typeof json.model === 'string' ? json.model : null
}

function only(emitted: Emitted[]): Emitted {
  expect(emitted).toHaveLength(1)
  return emitted[0]!
}

const chatRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }
const chatUsage = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 0 } }
const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: chatUsage,
}
const ids = { 'x-thread-id': 'thread-9', 'x-org-id': 'org-1', 'x-user-id': 'user-7', 'x-project-id': 'proj-3', 'x-project-name': 'Checkout' }

describe('RequestTelemetry: one document per request', () => {
  test('a successful JSON request: every field', () => {
    const { telemetry, emitted, startedAt, epochBefore, epochAfter, around } = begin({ headers: { ...ids, authorization: 'Bearer sk-secret' }, startedAgoMs: 5 })
    noteRequest(telemetry, 'openai', chatRequest)
    const [sent0, sent1] = around(() => telemetry.upstreamSent())
    const [answered0, answered1] = around(() => telemetry.upstreamAnswered(200, 12.4))
    const observer = telemetry.observeBody('openai', false)
    const [responded0, responded1] = around(() => telemetry.responded())
    const body = encoder.encode(JSON.stringify(chatCompletion))
    observer.chunk!(body.subarray(0, 40))
    observer.chunk!(body.subarray(40))
    const [end0, end1] = around(() => observer.end({ kind: 'complete' }))

    const { record, pricedModel } = only(emitted)
    expect(pricedModel).toBe('gpt-4o')
    expect(record).toEqual({
      timestamp: expect.any(String),
      resource: { 'service.name': 'ai-gateway', 'service.version': '1.2.3', 'deployment.environment': 'staging' },
      name: 'ai_gateway_request_log',
      attributes: {
        id: 'req-0192',
        thread_id: 'thread-9',
        org_id: 'org-1',
        user_id: 'user-7',
        project_id: 'proj-3',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        request: chatRequest,
        response: chatCompletion,
        metadata: {
          project_id: 'proj-3',
          project_name: 'Checkout',
          latency: expect.any(Number),
          tokens: { input: 1200, output: 300, total: 1500, cached_input: 1024, cache_write_input: null, reasoning: 0 },
          cost: expect.closeTo(0.00472, 12), // 176 × 2.5 + 1024 × 1.25 + 300 × 10 per million
          status: 'success',
          path: '/v1/chat/completions',
          method: 'POST',
          request_size: JSON.stringify(chatRequest).length,
          response_size: body.byteLength,
          provider_latency: 12,
          status_code: 200,
          provider_status_code: 200,
          error_count: 0,
          error_type: null,
          provider_error_count: 0,
          provider_error_type: null,
          ttft_ms: null,
          gateway_overhead_ms: expect.any(Number),
          stream: false,
          finish_reason: 'stop',
          finish_reason_raw: 'stop',
          warnings: [],
        },
      },
    })
    const { metadata } = record.attributes
    expect(Date.parse(record.timestamp)).toBeGreaterThanOrEqual(epochBefore)
    expect(Date.parse(record.timestamp)).toBeLessThanOrEqual(epochAfter)
    expect(metadata.latency).toBeGreaterThanOrEqual(Math.round(end0 - startedAt))
    expect(metadata.latency).toBeLessThanOrEqual(Math.round(end1 - startedAt))
    // Before the upstream call, plus from its headers to the gateway's Response.
    expect(metadata.gateway_overhead_ms).toBeGreaterThanOrEqual(sent0 - startedAt + (responded0 - answered1) - 0.001)
    expect(metadata.gateway_overhead_ms).toBeLessThanOrEqual(sent1 - startedAt + (responded1 - answered0) + 0.001)
    expect(metadata.gateway_overhead_ms).toBeGreaterThanOrEqual(5)
    expect(JSON.stringify(record)).not.toContain('sk-secret')
  })

  test('a stream: the assembled message, tokens, cost and time to first token', () => {
    const { telemetry, emitted, startedAt } = begin({ path: '/v1/messages' })
    noteRequest(telemetry, 'anthropic', { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Weather?' }] })
    telemetry.upstreamSent()
    telemetry.upstreamAnswered(200, 80)
    const observer = telemetry.observeBody('anthropic', true)
    telemetry.responded()
    const bytes = encoder.encode(anthropicTextAndTool.wire)
    const firstDelta = anthropicTextAndTool.wire.indexOf('event: content_block_delta')
    observer.chunk!(bytes.subarray(0, firstDelta))
    const before = performance.now()
    observer.chunk!(bytes.subarray(firstDelta)) // the first content event arrives here
    const after = performance.now()
    observer.end({ kind: 'complete' })

    const { record, pricedModel } = only(emitted)
    expect(pricedModel).toBe('claude-sonnet-4-5')
    const { metadata } = record.attributes
    expect(record.attributes.model).toBe('claude-sonnet-4-5-20250929')
    expect(record.attributes.response).toEqual(anthropicTextAndTool.summary.payload)
    expect(metadata).toMatchObject({
      tokens: { input: 2572, output: 89, total: 2661, cached_input: 2000, cache_write_input: 100, reasoning: null },
      status: 'success',
      path: '/v1/messages',
      status_code: 200,
      provider_status_code: 200,
      provider_latency: 80,
      error_count: 0,
      error_type: null,
      stream: true,
      finish_reason: 'tool_calls',
      finish_reason_raw: 'tool_use',
      response_size: bytes.byteLength,
    })
    expect(metadata.cost).toBeCloseTo(0.003726, 12) // 472 × 3 + 2000 × 0.3 + 100 × 3.75 + 89 × 15 per million
    expect(metadata.ttft_ms).toBeGreaterThanOrEqual(Math.round(before - startedAt))
    expect(metadata.ttft_ms).toBeLessThanOrEqual(Math.round(after - startedAt))
  })

  const upstreamErrors = [
    {
      name: 'an OpenAI error body: its type is the provider error type',
      status: 401,
      body: JSON.stringify({ error: { message: 'Incorrect API key provided: sk-abc***xyz.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
      providerErrorType: 'invalid_request_error',
    },
    { name: 'a body that is not JSON: the status is the provider error type', status: 502, body: '<html>Bad Gateway</html>', providerErrorType: 'http_502' },
  ]
  for (const { name, status, body, providerErrorType } of upstreamErrors) {
    test(`an upstream ${status} with ${name}`, () => {
      const { telemetry, emitted } = begin()
      noteRequest(telemetry, 'openai', chatRequest)
      telemetry.upstreamSent()
      telemetry.upstreamAnswered(status, 30)
      const observer = telemetry.observeBody('openai', false)
      telemetry.responded()
      observer.chunk!(encoder.encode(body))
      observer.end({ kind: 'complete' })
      const { record, pricedModel } = only(emitted)
      expect(pricedModel).toBe('gpt-4o')
      expect(record.attributes.model).toBe('gpt-4o')
      expect(record.attributes.response).toEqual(body.startsWith('{') ? JSON.parse(body) : null)
      expect(record.attributes.metadata).toMatchObject({
        tokens: UNKNOWN,
        cost: null,
        status: 'error',
        status_code: status,
        provider_status_code: status,
        provider_latency: 30,
        error_count: 1,
        error_type: 'provider_error',
        provider_error_count: 1,
        provider_error_type: providerErrorType,
        ttft_ms: null,
        finish_reason: null,
        finish_reason_raw: null,
      })
    })
  }

  test("a gateway failure via fail(): the gateway's status and type, no upstream facts", () => {
    const { telemetry, emitted, startedAt, around } = begin({ startedAgoMs: 3 })
    noteRequest(telemetry, 'openai', chatRequest)
    const [sent0, sent1] = around(() => telemetry.upstreamSent())
    telemetry.fail({ status: 502, type: 'upstream_unreachable' })
    const { record, pricedModel } = only(emitted)
    expect(pricedModel).toBe('gpt-4o')
    expect(record.attributes).toMatchObject({ provider: 'openai', model: 'gpt-4o', request: chatRequest, response: null })
    expect(record.attributes.metadata).toMatchObject({
      tokens: UNKNOWN,
      cost: null,
      status: 'error',
      status_code: 502,
      provider_status_code: null,
      provider_latency: null,
      response_size: 0,
      error_count: 1,
      error_type: 'upstream_unreachable',
      provider_error_count: 0,
      provider_error_type: null,
      ttft_ms: null,
      stream: false,
      finish_reason: null,
    })
    const overhead = record.attributes.metadata.gateway_overhead_ms
    expect(overhead).toBeGreaterThanOrEqual(sent0 - startedAt - 0.001)
    expect(overhead).toBeLessThanOrEqual(sent1 - startedAt + 0.001)
  })

  test('a failure before the provider is known: no provider, no model, no price', () => {
    const { telemetry, emitted } = begin({ startedAgoMs: 40 })
    telemetry.fail({ status: 400, type: 'invalid_json' })
    const { record, pricedModel } = only(emitted)
    expect(pricedModel).toBeNull()
    expect(record.attributes).toMatchObject({ provider: null, model: null, request: null, response: null })
    expect(record.attributes.metadata).toMatchObject({ status: 'error', status_code: 400, error_type: 'invalid_json', request_size: 0, cost: null })
    // Nothing was sent upstream: all the time was the gateway's (the latency is rounded, the overhead to µs).
    expect(record.attributes.metadata.latency).toBeGreaterThanOrEqual(40)
    expect(Math.abs(record.attributes.metadata.gateway_overhead_ms - record.attributes.metadata.latency)).toBeLessThanOrEqual(0.5)
  })

  const bodyEnds: Array<{ name: string; end: BodyEnd; bytes: Uint8Array; statusCode: number; errorType: string }> = [
    { name: 'a client abort', end: { kind: 'client_abort' }, bytes: encoder.encode(anthropicTextAndTool.wire.slice(0, anthropicTextAndTool.wire.indexOf('event: content_block_stop'))), statusCode: 499, errorType: 'client_abort' },
    { name: 'an idle timeout', end: { kind: 'idle_timeout' }, bytes: encoder.encode(anthropicTextAndTool.wire.slice(0, anthropicTextAndTool.wire.indexOf('event: content_block_stop'))), statusCode: 200, errorType: 'upstream_idle_timeout' },
    { name: 'an upstream error mid-body', end: { kind: 'upstream_error', message: 'socket closed' }, bytes: encoder.encode(anthropicTextAndTool.wire.slice(0, anthropicTextAndTool.wire.indexOf('event: content_block_stop'))), statusCode: 200, errorType: 'upstream_stream_error' },
    { name: 'a stream cut inside an event', end: { kind: 'complete' }, bytes: cutInsideEvent(anthropicTextAndTool.wire, 'event: message_delta'), statusCode: 200, errorType: 'upstream_stream_truncated' },
  ]
  for (const { name, end, bytes, statusCode, errorType } of bodyEnds) {
    test(`a stream ended by ${name}: ${statusCode}, ${errorType}, and what arrived`, () => {
      const { telemetry, emitted } = begin({ path: '/v1/messages' })
      noteRequest(telemetry, 'anthropic', { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [] })
      telemetry.upstreamSent()
      telemetry.upstreamAnswered(200, 40)
      const observer = telemetry.observeBody('anthropic', true)
      telemetry.responded()
      for (const chunk of [...randomChunkings(bytes, 1)][0]!) observer.chunk!(chunk)
      observer.end(end)
      const { record } = only(emitted)
      expect(record.attributes.metadata).toMatchObject({
        status: 'error',
        status_code: statusCode,
        provider_status_code: 200,
        error_count: 1,
        error_type: errorType,
        provider_error_count: 0,
        provider_error_type: null,
        response_size: bytes.byteLength,
        stream: true,
        finish_reason: null,
        tokens: { input: 2572, output: 2, total: 2574, cached_input: 2000, cache_write_input: 100, reasoning: null },
      })
      expect(record.attributes.metadata.ttft_ms).not.toBeNull()
      expect((record.attributes.response as any).content[0]).toEqual({ type: 'text', text: "Okay, let's check the wéather." })
    })
  }

  test('a 200 stream with an error event: provider_stream_error with the provider error type', () => {
    const { telemetry, emitted } = begin({ path: '/v1/messages' })
    noteRequest(telemetry, 'anthropic', { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [] })
    telemetry.upstreamAnswered(200, 40)
    const observer = telemetry.observeBody('anthropic', true)
    observer.chunk!(encoder.encode(anthropicErrorEvent.wire))
    observer.end({ kind: 'complete' })
    expect(only(emitted).record.attributes.metadata).toMatchObject({
      status: 'error',
      status_code: 200,
      error_count: 1,
      error_type: 'provider_stream_error',
      provider_error_count: 1,
      provider_error_type: 'overloaded_error',
    })
  })

  test('retries do not count as the gateway’s time: its time before the upstream ends with the first attempt', async () => {
    const { telemetry, emitted, startedAt } = begin()
    noteRequest(telemetry, 'openai', chatRequest)
    const firstSent = performance.now()
    telemetry.upstreamSent()
    await Bun.sleep(30)
    // A retry (after a backoff) is sent again; the upstream then fails for good.
    telemetry.upstreamSent()
    telemetry.fail({ status: 502, type: 'upstream_unreachable' })
    const { record } = only(emitted)
    expect(record.attributes.metadata.latency).toBeGreaterThanOrEqual(30)
    expect(record.attributes.metadata.gateway_overhead_ms).toBeLessThanOrEqual(firstSent - startedAt + 1)
  })

  test("a translation's warnings are kept as they were set, also on a failed request", () => {
    const warnings = ['seed dropped: Anthropic has no equivalent', 'messages[1].name dropped: Anthropic messages carry no participant names']
    const served = begin()
    noteRequest(served.telemetry, 'anthropic', chatRequest)
    served.telemetry.warnings = warnings
    served.telemetry.upstreamAnswered(200, 40)
    served.telemetry.observeBody('openai', false).end({ kind: 'complete' })
    expect(only(served.emitted).record.attributes.metadata.warnings).toEqual(warnings)

    const refused = begin()
    refused.telemetry.warnings = warnings
    refused.telemetry.fail({ status: 504, type: 'upstream_timeout' })
    expect(only(refused.emitted).record.attributes.metadata.warnings).toEqual(warnings)
  })
})

describe('RequestTelemetry: ids from headers', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; expected: Partial<Record<'thread_id' | 'org_id' | 'user_id' | 'project_id', string | null>> }> = [
    { name: 'none sent', headers: {}, expected: { thread_id: null, org_id: null, user_id: null, project_id: null } },
    { name: 'x-org-id wins', headers: { 'x-org-id': 'a', 'x-organization-id': 'b', 'x-organisation-id': 'c' }, expected: { org_id: 'a' } },
    { name: 'x-organization-id next', headers: { 'x-organization-id': 'b', 'x-organisation-id': 'c' }, expected: { org_id: 'b' } },
    { name: 'x-organisation-id last', headers: { 'x-organisation-id': 'c' }, expected: { org_id: 'c' } },
    { name: 'control characters stripped', headers: { 'x-thread-id': 'th\u0001re\u001bad\tid', 'x-user-id': 'u\u00017' }, expected: { thread_id: 'threadid', user_id: 'u7' } },
    { name: 'nothing left after stripping: unknown, and the next org header counts', headers: { 'x-org-id': '\u0001\u0002', 'x-organization-id': 'org-b', 'x-thread-id': '\u0007' }, expected: { org_id: 'org-b', thread_id: null } },
    { name: 'length capped at 256', headers: { 'x-project-id': 'p'.repeat(1000) }, expected: { project_id: 'p'.repeat(256) } },
    { name: 'an empty value is unknown', headers: { 'x-user-id': '' }, expected: { user_id: null } },
  ]
  for (const { name, headers, expected } of cases) {
    test(name, () => {
      const { telemetry, emitted } = begin({ headers })
      telemetry.fail({ status: 400, type: 'invalid_json' })
      const { attributes } = only(emitted).record
      expect(attributes).toMatchObject(expected)
      if ('project_id' in expected) expect(attributes.metadata.project_id).toBe(expected.project_id!)
    })
  }

  test('project name: stripped and capped like the ids', () => {
    const { telemetry, emitted } = begin({ headers: { 'x-project-name': `Check\u0001out ${'x'.repeat(400)}` } })
    telemetry.fail({ status: 400, type: 'invalid_json' })
    expect(only(emitted).record.attributes.metadata.project_name).toBe(`Checkout ${'x'.repeat(400)}`.slice(0, 256))
  })
})

describe('RequestTelemetry: payload size limit (TELEMETRY_MAX_PAYLOAD_BYTES)', () => {
  function jsonRequest(maxPayloadBytes: number, responseBody: string) {
    const { telemetry, emitted } = begin({ maxPayloadBytes })
    noteRequest(telemetry, 'openai', chatRequest)
    telemetry.upstreamAnswered(200, 1)
    const observer = telemetry.observeBody('openai', false)
    observer.chunk!(encoder.encode(responseBody))
    observer.end({ kind: 'complete' })
    return only(emitted).record
  }
  const requestSize = JSON.stringify(chatRequest).length
  const responseBody = JSON.stringify(chatCompletion)

  test('payloads at the limit are kept', () => {
    const record = jsonRequest(Math.max(requestSize, responseBody.length), responseBody)
    expect(record.attributes.request).toEqual(chatRequest)
    expect(record.attributes.response).toEqual(chatCompletion)
  })

  test('larger payloads are replaced by their size; usage is still read', () => {
    const record = jsonRequest(requestSize - 1, responseBody)
    expect(record.attributes.request).toEqual({ truncated: true, size: requestSize })
    expect(record.attributes.response).toEqual({ truncated: true, size: responseBody.length })
    expect(record.attributes.metadata.tokens.total).toBe(1500)
    expect(record.attributes.metadata.request_size).toBe(requestSize)
  })

  test('limit 0 keeps no payload at all but still counts tokens', () => {
    const record = jsonRequest(0, responseBody)
    expect(record.attributes.request).toEqual({ truncated: true, size: requestSize })
    expect(record.attributes.response).toEqual({ truncated: true, size: responseBody.length })
    expect(record.attributes.metadata.tokens.input).toBe(1200)
  })
})

describe('RequestTelemetry: exactly one record', () => {
  test('the first end wins: a later fail, a second end, or another observer change nothing', () => {
    const { telemetry, emitted } = begin()
    let finished = 0
    telemetry.onFinish = () => void finished++
    noteRequest(telemetry, 'openai', chatRequest)
    telemetry.upstreamAnswered(200, 1)
    const observer = telemetry.observeBody('openai', false)
    observer.chunk!(encoder.encode(JSON.stringify(chatCompletion)))
    observer.end({ kind: 'complete' })
    observer.end({ kind: 'client_abort' })
    telemetry.fail({ status: 499, type: 'client_abort' })
    const second = telemetry.observeBody('openai', false)
    second.end({ kind: 'complete' })
    expect(only(emitted).record.attributes.metadata.status).toBe('success')
    expect(finished).toBe(1)
  })

  test('a fail first: the body ending later changes nothing', () => {
    const { telemetry, emitted } = begin()
    const observer = telemetry.observeBody('openai', true)
    telemetry.fail({ status: 504, type: 'upstream_timeout' })
    observer.end({ kind: 'complete' })
    telemetry.fail({ status: 500, type: 'internal_error' })
    expect(only(emitted).record.attributes.metadata).toMatchObject({ status_code: 504, error_type: 'upstream_timeout' })
  })
})

describe('RequestTelemetry: the finished request and its document', () => {
  /** Headers that note every name read. */
  function readNoting(init: Record<string, string>) {
    const headers = new Headers(init)
    const read: string[] = []
    const get = headers.get.bind(headers)
    Object.defineProperty(headers, 'get', { value: (name: string) => (read.push(name), get(name)) })
    return { headers, read }
  }

  function finishJsonRequest(headers: Headers) {
    const finished: FinishedRequest[] = []
    const context: RecordContext = { serviceVersion: '1.2.3', deploymentEnvironment: 'staging', maxPayloadBytes: 1024 * 1024, pricing: createPricing(EMBEDDED_PRICES), emit: (done) => void finished.push(done) }
    const telemetry = new RequestTelemetry(context, 'req-7', 'POST', '/v1/chat/completions', headers, performance.now() - 3)
    noteRequest(telemetry, 'openai', chatRequest)
    telemetry.upstreamSent()
    telemetry.upstreamAnswered(200, 12.4)
    const observer = telemetry.observeBody('openai', false)
    observer.chunk!(encoder.encode(JSON.stringify(chatCompletion)))
    observer.end({ kind: 'complete' })
    expect(finished).toHaveLength(1)
    return finished[0]!
  }

  test('carries the same facts as its document', () => {
    const finished = finishJsonRequest(new Headers(ids))
    const { attributes } = finished.document()
    const { metadata } = attributes
    expect(finished.id).toBe('req-7')
    expect(finished.provider).toBe(attributes.provider!)
    expect(finished.model).toBe(attributes.model!)
    expect(finished.model).toBe('gpt-4o-2024-08-06')
    expect(finished.pricedModel).toBe('gpt-4o')
    expect(finished.statusCode).toBe(metadata.status_code)
    expect(finished.isError).toBe(false)
    expect(metadata.status).toBe('success')
    // The metrics get the latency unrounded (their histogram buckets are finer than 1 ms); the document rounds it.
    expect(Math.round(finished.latencyMs)).toBe(metadata.latency)
    expect(finished.latencyMs).toBeGreaterThanOrEqual(3)
    expect(finished.providerLatencyMs).toBe(12.4)
    expect(metadata.provider_latency).toBe(12)
    expect(finished.ttftMs).toBeNull()
    expect(finished.tokens).toEqual(metadata.tokens)
    expect(finished.tokens.input).toBe(1200)
    expect(finished.cost).toBe(metadata.cost!)
    expect(finished.cost).toBeGreaterThan(0)
  })

  test('the document is built only when asked for, and once', () => {
    const { headers, read } = readNoting(ids)
    const finished = finishJsonRequest(headers)
    // The client's ids are read for the document alone: nothing asked for it yet.
    expect(read).not.toContain('x-thread-id')
    expect(read).not.toContain('x-project-id')
    const document = finished.document()
    expect(read).toContain('x-thread-id')
    expect(document.attributes.thread_id).toBe('thread-9')
    expect(document.attributes.metadata.project_name).toBe('Checkout')
    const reads = read.length
    expect(finished.document()).toBe(document)
    expect(read).toHaveLength(reads)
  })
})
