import { describe, expect, test } from 'bun:test'
import { anthropic, DEFAULT_ANTHROPIC_VERSION } from '../../../src/providers/anthropic/anthropic'
import type { ClientRequest, UpstreamRequest } from '../../../src/providers/types'
import { refusal } from '../../support/refusal'

const target = { baseUrl: 'https://api.anthropic.test' }
const chatBody = { model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], seed: 1 }

function request(path: string, headers: Record<string, string>, json: Record<string, unknown> | undefined = chatBody, search = ''): ClientRequest {
  const body = json === undefined ? null : new TextEncoder().encode(JSON.stringify(json))
  return { method: 'POST', path, search, headers: new Headers(headers), body, json }
}

const upstream = (req: ClientRequest) => anthropic.toUpstream(req, target) as UpstreamRequest

describe('anthropic.toUpstream on /v1/chat/completions', () => {
  const rows: Array<{ name: string; client: Record<string, string>; expected: Record<string, string | null> }> = [
    {
      name: 'a Bearer token becomes x-api-key; the default anthropic-version is added',
      client: { authorization: 'Bearer sk-ant-1' },
      expected: { 'x-api-key': 'sk-ant-1', authorization: null, 'anthropic-version': DEFAULT_ANTHROPIC_VERSION, 'content-type': 'application/json' },
    },
    {
      name: "the client's x-api-key wins over its Bearer token",
      client: { authorization: 'Bearer sk-other', 'x-api-key': 'sk-ant-2' },
      expected: { 'x-api-key': 'sk-ant-2', authorization: null },
    },
    {
      name: "the client's anthropic-version and anthropic-beta go up",
      client: { 'x-api-key': 'k', 'anthropic-version': '2024-02-02', 'anthropic-beta': 'prompt-caching-2024-07-31' },
      expected: { 'anthropic-version': '2024-02-02', 'anthropic-beta': 'prompt-caching-2024-07-31' },
    },
    {
      name: 'no credential at all: none invented, Anthropic answers 401',
      client: {},
      expected: { 'x-api-key': null, authorization: null },
    },
    {
      name: 'gateway controls and unrelated headers stay behind',
      client: { 'x-api-key': 'k', 'x-provider': 'anthropic', cookie: 'a=b', host: 'gateway.local', 'openai-organization': 'org-1' },
      expected: { 'x-provider': null, cookie: null, host: null, 'openai-organization': null },
    },
  ]
  for (const { name, client, expected } of rows) {
    test(name, () => {
      const headers = upstream(request('/v1/chat/completions', client)).headers
      for (const [header, value] of Object.entries(expected)) expect(headers.get(header)).toBe(value)
    })
  }

  test('only POST: other methods are a 404, as for any unknown route', () => {
    const thrown = refusal(() => anthropic.toUpstream({ ...request('/v1/chat/completions', {}), method: 'GET', body: null, json: undefined }, target))
    expect(thrown).toMatchObject({ status: 404, code: 'unknown_url' })
  })

  test('the body is translated, the query dropped, the warnings returned', () => {
    const up = upstream(request('/v1/chat/completions', { 'x-api-key': 'k' }, chatBody, '?foo=bar'))
    expect(up.url).toBe('https://api.anthropic.test/v1/messages')
    expect(up.method).toBe('POST')
    expect(JSON.parse(up.body as string)).toEqual({ model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] })
    expect(up.warnings).toEqual(['seed dropped: Anthropic has no equivalent'])
  })
})

describe('anthropic.toUpstream on native paths', () => {
  test('/v1/messages passes through: same bytes, query kept, allow-listed headers as they are', () => {
    const req = request('/v1/messages', { authorization: 'Bearer sk-ant-3', 'anthropic-version': '2026-10-21', 'x-provider': 'anthropic' }, { model: 'm', max_tokens: 5, messages: [] }, '?beta=true')
    const up = upstream(req)
    expect(up.url).toBe('https://api.anthropic.test/v1/messages?beta=true')
    expect(up.body).toBe(req.body!)
    expect(up.headers.get('authorization')).toBe('Bearer sk-ant-3')
    expect(up.headers.get('x-api-key')).toBeNull()
    expect(up.headers.get('anthropic-version')).toBe('2026-10-21')
    expect(up.headers.get('x-provider')).toBeNull()
    expect(up.warnings).toBeUndefined()
  })

  test('/v1/models passes through with its method', () => {
    const up = upstream({ method: 'GET', path: '/v1/models', search: '?limit=5', headers: new Headers({ 'x-api-key': 'k' }), body: null, json: undefined })
    expect(up).toMatchObject({ url: 'https://api.anthropic.test/v1/models?limit=5', method: 'GET', body: null })
  })
})

describe('anthropic.fromUpstream', () => {
  const chat = request('/v1/chat/completions', {})
  const upstreamHeaders = { 'content-type': 'application/json', etag: '"abc"', 'retry-after': '3', 'request-id': 'req_1', 'x-request-id': 'gw-1' }

  test('a native answer is returned as it is', () => {
    const response = new Response('{}', { headers: upstreamHeaders })
    expect(anthropic.fromUpstream!(response, request('/v1/messages', {}))).toBe(response)
  })

  test('an error answer: OpenAI shape, same status, headers that still describe it', async () => {
    const response = new Response(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } }), { status: 429, headers: upstreamHeaders })
    const translated = anthropic.fromUpstream!(response, chat)
    expect(translated.status).toBe(429)
    expect(Object.fromEntries(translated.headers)).toEqual({ 'content-type': 'application/json', 'retry-after': '3', 'request-id': 'req_1', 'x-request-id': 'gw-1' })
    expect(await translated.json()).toEqual({ error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_error' } })
  })

  test('a message: chat.completion JSON', async () => {
    const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'Hi!' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 2 } }
    const translated = anthropic.fromUpstream!(new Response(JSON.stringify(message), { headers: upstreamHeaders }), chat)
    expect(translated.headers.get('content-type')).toBe('application/json')
    expect(translated.headers.get('etag')).toBeNull()
    expect(await translated.json()).toMatchObject({ id: 'msg_1', object: 'chat.completion', choices: [{ message: { content: 'Hi!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })
  })

  test('a 200 that is not a message makes the body fail, as a broken connection would', async () => {
    const translated = anthropic.fromUpstream!(new Response('<html>oops</html>', { headers: { 'content-type': 'text/html' } }), chat)
    expect(translated.status).toBe(200)
    const outcome = await translated.text().then(
      () => 'read',
      (error: Error) => error.message,
    )
    expect(outcome).toBe('Anthropic answered 200 with a body that is not a message')
  })

  test('an event stream: chat.completion.chunk SSE', async () => {
    const wire = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_2","model":"claude-x","usage":{"input_tokens":1,"output_tokens":1}}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'
    const translated = anthropic.fromUpstream!(new Response(wire, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } }), chat)
    expect(translated.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(translated.headers.get('cache-control')).toBe('no-cache')
    const text = await translated.text()
    expect(text.startsWith('data: {"id":"msg_2","object":"chat.completion.chunk"')).toBe(true)
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })
})
