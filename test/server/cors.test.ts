import { afterAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway } from '../support/gateway'
import { startMockOpenAI } from '../support/mock-openai'

const mock = startMockOpenAI()
const off = startGateway({ OPENAI_BASE_URL: mock.url })
const listed = startGateway({ OPENAI_BASE_URL: mock.url, CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' })
const any = startGateway({ OPENAI_BASE_URL: mock.url, CORS_ORIGINS: '*' })
afterAll(() => {
  for (const gateway of [off, listed, any]) gateway.stop()
  mock.stop()
})

const preflight = (url: string, origin: string, path = '/v1/chat/completions') =>
  fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' },
  })

const completion = (url: string, origin: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))
}

describe('CORS', () => {
  test('off by default: no CORS header on answers, errors or health, and OPTIONS goes upstream like any request', async () => {
    const before = mock.requests.length
    for (const response of [await completion(off.url, 'https://app.example.com'), await fetch(`${off.url}/nope`, { headers: { origin: 'https://x.example' } }), await fetch(`${off.url}/health`, { headers: { origin: 'https://x.example' } })]) {
      await response.arrayBuffer()
      expect(corsHeaders(response)).toEqual({})
    }
    const pre = await preflight(off.url, 'https://app.example.com')
    await pre.arrayBuffer()
    expect(corsHeaders(pre)).toEqual({})
    expect(mock.requests.slice(before).map((r) => r.method)).toEqual(['POST', 'OPTIONS'])
  })

  test('a listed origin: the preflight is answered by the gateway, and answers carry the origin', async () => {
    const before = mock.requests.length
    const pre = await preflight(listed.url, 'https://app.example.com')
    expect(pre.status).toBe(204)
    expect(corsHeaders(pre)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-stainless-os',
      'access-control-max-age': '600',
    })
    expect(mock.requests.length).toBe(before)

    const response = await completion(listed.url, 'https://admin.example.com')
    expect(response.status).toBe(200)
    await response.json()
    expect(response.headers.get('access-control-allow-origin')).toBe('https://admin.example.com')
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id')
    expect(response.headers.get('vary')).toContain('Origin')
  })

  test('an origin not on the list gets no CORS headers (the browser blocks it), preflight or not', async () => {
    const pre = await preflight(listed.url, 'https://evil.example')
    expect(pre.status).toBe(204)
    expect(corsHeaders(pre)).toEqual({})
    const response = await completion(listed.url, 'https://evil.example')
    await response.arrayBuffer()
    expect(corsHeaders(response)).toEqual({})
  })

  test('* allows any origin, on answers, on the gateway’s own errors and on /health', async () => {
    const pre = await preflight(any.url, 'https://anything.example', '/health')
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    const error = await fetch(`${any.url}/v1/chat/completions`, { method: 'POST', headers: { origin: 'https://anything.example' }, body: 'not json' })
    expect(error.status).toBe(400)
    await error.json()
    expect(error.headers.get('access-control-allow-origin')).toBe('*')
    const health = await fetch(`${any.url}/health`, { headers: { origin: 'https://anything.example' } })
    await health.json()
    expect(health.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('a streamed answer keeps its bytes with CORS on (headers added on the Response, not through Elysia)', async () => {
    const client = new OpenAI({ baseURL: `${any.url}/v1`, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { origin: 'https://app.example.com' } })
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse()
    const parts: string[] = []
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta.content ?? '')
    expect(parts.join('')).toBe('word0 word1 word2 word3 word4 ')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })
})

describe('CORS headers an upstream sends never reach the client: which origins may read the gateway is its own to say', () => {
  // An upstream that opens itself to every origin, with credentials, on every answer.
  const open = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) =>
      Response.json(request.method === 'OPTIONS' ? {} : { id: 'chatcmpl-x', object: 'chat.completion', choices: [] }, {
        headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-allow-headers': '*', 'access-control-expose-headers': '*', 'access-control-max-age': '86400' },
      }),
  })
  const openOff = startGateway({ OPENAI_BASE_URL: `http://127.0.0.1:${open.port}` })
  const openListed = startGateway({ OPENAI_BASE_URL: `http://127.0.0.1:${open.port}`, CORS_ORIGINS: 'https://app.example.com' })
  afterAll(() => {
    openOff.stop()
    openListed.stop()
    open.stop(true)
  })

  test('CORS off: neither an answer nor a preflight the upstream answered carries them', async () => {
    const response = await completion(openOff.url, 'https://evil.example')
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    expect(corsHeaders(response)).toEqual({})
    const pre = await preflight(openOff.url, 'https://evil.example')
    await pre.arrayBuffer()
    expect(corsHeaders(pre)).toEqual({})
  })

  test('an origin off the list gets none of them', async () => {
    const response = await completion(openListed.url, 'https://evil.example')
    await response.arrayBuffer()
    expect(corsHeaders(response)).toEqual({})
  })

  test('a listed origin gets the gateway’s, not the upstream’s credentials or wildcard', async () => {
    const response = await completion(openListed.url, 'https://app.example.com')
    await response.arrayBuffer()
    const headers = corsHeaders(response)
    expect(headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(headers['access-control-allow-credentials']).toBeUndefined()
    expect(headers['access-control-expose-headers']).not.toBe('*')
    expect(headers['access-control-max-age']).toBeUndefined()
  })
})
