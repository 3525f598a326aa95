import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway } from '../support/gateway'
import { startMockOpenAI } from '../support/mock-openai'
import { httpRequest, rawRequest } from '../support/raw-http'

const mock = startMockOpenAI()
const gateway = startGateway({ OPENAI_BASE_URL: mock.url, ANTHROPIC_BASE_URL: mock.url, MAX_REQUEST_BODY_BYTES: '65536' })
afterAll(() => {
  gateway.stop()
  mock.stop()
})
beforeEach(() => mock.reset())

const json = { 'content-type': 'application/json', authorization: 'Bearer sk-test' }

async function post(path: string, body: string | Uint8Array | null, headers: Record<string, string> = json) {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers, body })
  return { status: response.status, body: (await response.json()) as any }
}

/** OpenAI's error shape: https://platform.openai.com/docs/guides/error-codes */
function expectOpenAIError(body: any, code?: string) {
  expect(body.error.type).toBeString()
  expect(body.error.message).toBeString()
  if (code !== undefined) expect(body.error.code).toBe(code)
}

/** Anthropic's error shape: https://docs.anthropic.com/en/api/errors */
function expectAnthropicError(body: any) {
  expect(body.type).toBe('error')
  expect(body.error.type).toBeString()
  expect(body.error.message).toBeString()
}

describe('bodies the gateway cannot read get 400 before anything goes upstream', () => {
  const cases: [string, string | Uint8Array | null, string][] = [
    ['not JSON', 'hello', 'invalid_json'],
    ['truncated JSON', '{"model":"gpt-4o","messages":[{"role":"us', 'invalid_json'],
    ['a JSON array', '[1,2,3]', 'invalid_json'],
    ['a JSON string', '"model"', 'invalid_json'],
    ['JSON null', 'null', 'invalid_json'],
    ['an empty body', '', 'invalid_json'],
    ['no body at all', null, 'invalid_json'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'invalid_json'],
    ['model missing', JSON.stringify({ messages: [] }), 'invalid_model'],
    ['model a number', JSON.stringify({ model: 4, messages: [] }), 'invalid_model'],
    ['model empty', JSON.stringify({ model: '', messages: [] }), 'invalid_model'],
    ['messages missing', JSON.stringify({ model: 'gpt-4o' }), 'invalid_messages'],
    ['messages an object', JSON.stringify({ model: 'gpt-4o', messages: { role: 'user' } }), 'invalid_messages'],
    ['messages a string', JSON.stringify({ model: 'gpt-4o', messages: 'hi' }), 'invalid_messages'],
    ['stream a string', JSON.stringify({ model: 'gpt-4o', messages: [], stream: 'yes' }), 'invalid_stream'],
  ]
  for (const [name, body, code] of cases) {
    test(`/v1/chat/completions: ${name} → 400 ${code}`, async () => {
      const answer = await post('/v1/chat/completions', body)
      expect(answer.status).toBe(400)
      expectOpenAIError(answer.body, code)
      expect(mock.requests).toHaveLength(0)
    })
    test(`/v1/messages (x-provider anthropic): ${name} → 400 in Anthropic's shape`, async () => {
      const answer = await post('/v1/messages', body, { ...json, 'x-provider': 'anthropic', 'anthropic-version': '2023-06-01' })
      expect(answer.status).toBe(400)
      expectAnthropicError(answer.body)
      expect(answer.body.error.type).toBe('invalid_request_error')
      expect(mock.requests).toHaveLength(0)
    })
  }

  test('a valid request still reaches the upstream (the checks above are not a blanket refusal)', async () => {
    const answer = await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }))
    expect(answer.status).toBe(200)
    expect(mock.requests).toHaveLength(1)
  })
})

describe('bodies larger than MAX_REQUEST_BODY_BYTES get 413 without being read whole', () => {
  test('declared by content-length: 413 answered before the body is sent', async () => {
    // Only the head is written: the answer must come without the 1 MB the head announces.
    const head = httpRequest('POST', '/v1/chat/completions', { 'content-type': 'application/json', 'content-length': String(1024 * 1024) })
    const answer = await rawRequest(gateway.url, head)
    expect(answer.status).toBe(413)
    expectOpenAIError(JSON.parse(answer.body), 'request_too_large')
    expect(mock.requests).toHaveLength(0)
  })

  test('chunked without a length: 413 once the stream passes the limit, even if it never ends', async () => {
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // A body that never ends: past 1 MiB it just stops sending. The gateway must answer once
        // it passes the limit, not wait for an end that never comes.
        if (sent > 1024 * 1024) return new Promise<void>(() => {})
        sent += 16384
        controller.enqueue(new Uint8Array(16384).fill(0x20))
      },
    })
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: json, body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expectOpenAIError(await response.json(), 'request_too_large')
    expect(mock.requests).toHaveLength(0)
  })

  test('Anthropic route: 413 in the Anthropic shape', async () => {
    const answer = await post('/v1/messages', 'x'.repeat(70_000), { ...json, 'x-provider': 'anthropic' })
    expect(answer.status).toBe(413)
    expectAnthropicError(answer.body)
    expect(answer.body.error.type).toBe('request_too_large')
  })
})

describe('hostile x-provider values are refused with 400 and never pick an upstream', () => {
  const values = ['../openai', 'openai/../../etc', '__proto__', 'constructor', 'toString', 'OPENAI\u0000', 'x'.repeat(10 * 1024), 'open ai', '%6fpenai', 'https://evil.example']
  for (const value of values) {
    test(`x-provider ${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? '…' : ''}`, async () => {
      const headers = new Headers(json)
      try {
        headers.set('x-provider', value)
      } catch {
        // fetch refuses some header values itself: send those raw.
        const raw = await rawRequest(gateway.url, httpRequest('POST', '/v1/chat/completions', { 'content-type': 'application/json', 'x-provider': value }, '{}'))
        // Bun's HTTP parser refuses a NUL in a header itself: a bare 400 before any handler runs.
        expect(raw.status).toBe(400)
        expect(mock.requests).toHaveLength(0)
        return
      }
      // Outside the try: an answer that is not JSON must fail the test, not take the raw path.
      const answer = await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [] }), Object.fromEntries(headers))
      expect(answer.status).toBe(400)
      expectOpenAIError(answer.body, 'unknown_provider')
      // The refusal quotes at most a short excerpt of what was sent.
      expect(answer.body.error.message.length).toBeLessThan(400)
      expect(mock.requests).toHaveLength(0)
    })
  }

  test('CR/LF inside x-provider (header injection) never reaches an upstream', async () => {
    const raw = await rawRequest(gateway.url, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-provider: openai\rX-Injected: 1\r\nContent-Length: 2\r\n\r\n{}`)
    // Bun's parser refuses a bare CR with 400; any 4xx is fine, anything upstream is not.
    expect(raw.status).toBeGreaterThanOrEqual(400)
    expect(raw.status).toBeLessThan(500)
    expect(mock.requests).toHaveLength(0)
  })
})

describe('paths outside the provider API never reach the upstream', () => {
  const targets = [
    '/v1/../admin',
    '/v1/%2e%2e/admin',
    '/v1/%2E%2E/%2e%2e/etc/passwd',
    '/v1/.%2e/admin',
    '/v1/chat%2f..%2f..%2fadmin',
    '/v1/chat%2fcompletions',
    '/v1/..%5c..%5cadmin',
    '/v1\\..\\admin',
    '/v1/chat/..\\..\\admin',
    '/v1/%00/chat',
    '/v1/chat%0d%0aX-Injected:%201',
    '/v1//completions',
    '/v1/',
    '/v1',
    '/v2/chat/completions',
    '*',
  ]
  for (const target of targets) {
    test(`${target} → 4xx JSON`, async () => {
      const raw = await rawRequest(gateway.url, httpRequest('POST', target, { 'content-type': 'application/json' }, '{"model":"m","messages":[]}'))
      expect(raw.status).toBeGreaterThanOrEqual(400)
      expect(raw.status).toBeLessThan(500)
      if (raw.body !== '') expectOpenAIError(JSON.parse(raw.body))
      for (const seen of mock.requests) expect(seen.path).toMatch(/^\/v1\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/)
      expect(mock.requests).toHaveLength(0)
    })
  }
})

describe('targets the server normalises stay inside the provider API', () => {
  // Bun resolves a leading `/..` against the root and reads an absolute-form target as a
  // path: both end at /v1/chat/completions of the configured base URL, never elsewhere.
  for (const target of ['/%2e%2e/v1/chat/completions', '/../v1/chat/completions', 'http://evil.example/v1/chat/completions']) {
    test(target, async () => {
      const raw = await rawRequest(gateway.url, httpRequest('POST', target, { 'content-type': 'application/json' }, '{"model":"m","messages":[]}'))
      expect(raw.status).toBe(200)
      expect(mock.requests.map((r) => r.path)).toEqual(['/v1/chat/completions'])
    })
  }
})

describe('routes and methods', () => {
  test('an unknown route is 404 JSON', async () => {
    const response = await fetch(`${gateway.url}/admin`)
    expect(response.status).toBe(404)
    expectOpenAIError(await response.json(), 'unknown_url')
  })

  test('an unknown route outside /v1/, even one ending in /v1/messages, answers in the OpenAI shape', async () => {
    const response = await fetch(`${gateway.url}/nope/v1/messages`)
    expect(response.status).toBe(404)
    expectOpenAIError(await response.json(), 'unknown_url')
  })

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    test(`${method} /health is 404 JSON, not a crash`, async () => {
      const response = await fetch(`${gateway.url}/health`, { method })
      expect(response.status).toBe(404)
      expectOpenAIError(await response.json())
    })
  }

  test('a method HTTP does not define: the connection is closed, nothing goes upstream, the gateway lives on', async () => {
    const raw = await rawRequest(gateway.url, httpRequest('BREW', '/v1/chat/completions'))
    // Bun's parser drops the connection without an answer (status 0 here).
    expect(raw.status).toBe(0)
    expect(mock.requests).toHaveLength(0)
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
  })

  test('OPTIONS on a proxy route without CORS goes upstream like any other method', async () => {
    const response = await fetch(`${gateway.url}/v1/models`, { method: 'OPTIONS' })
    await response.body?.cancel()
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['OPTIONS /v1/models'])
  })

  test('GET /v1/chat/completions goes upstream as a GET (the provider decides), with no body check', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { headers: { authorization: 'Bearer sk-test' } })
    await response.body?.cancel()
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/chat/completions'])
  })
})

describe('a Host the URL parser cannot read is no 500', () => {
  // `new URL` throws on these; the gateway must answer from the path alone, in JSON.
  const hosts = ['a b', 'a.com/evil', 'user@evil.com', '[::1', 'evil.com:99999', 'ev%il.com', '']
  for (const host of hosts) {
    test(`Host: ${JSON.stringify(host)} → a JSON answer, no 5xx`, async () => {
      const raw = await rawRequest(gateway.url, `GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nauthorization: Bearer sk-test\r\n\r\n`)
      expect(raw.status).toBeGreaterThanOrEqual(200)
      expect(raw.status).toBeLessThan(500)
      expect(raw.headers['content-type']).toContain('json')
      expect(() => JSON.parse(raw.body)).not.toThrow()
    })
  }

  test('an HTTP/1.0 request without a Host → a JSON answer, no 5xx', async () => {
    const raw = await rawRequest(gateway.url, 'GET /v1/models HTTP/1.0\r\n\r\n')
    expect(raw.status).toBeGreaterThanOrEqual(200)
    expect(raw.status).toBeLessThan(500)
    expect(raw.headers['content-type']).toContain('json')
  })

  test('an unknown path under a Host like that → 404 in JSON', async () => {
    const raw = await rawRequest(gateway.url, 'GET /nowhere HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')
    expect(raw.status).toBe(404)
    expectOpenAIError(JSON.parse(raw.body), 'unknown_url')
  })
})

describe('methods no AI API uses get 405 and never reach the upstream', () => {
  for (const method of ['TRACE', 'PROPFIND', 'PURGE', 'SEARCH', 'QUERY', 'LOCK']) {
    test(`${method} /v1/models → 405 with allow`, async () => {
      const raw = await rawRequest(gateway.url, httpRequest(method, '/v1/models', { authorization: 'Bearer sk-test' }))
      expect(raw.status).toBe(405)
      expect(raw.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
      expectOpenAIError(JSON.parse(raw.body), 'method_not_allowed')
      expect(mock.requests).toHaveLength(0)
    })
  }

  test('CONNECT → 4xx, nothing upstream', async () => {
    const raw = await rawRequest(gateway.url, 'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nConnection: close\r\n\r\n')
    if (raw.status !== 0) {
      expect(raw.status).toBeGreaterThanOrEqual(400)
      expect(raw.status).toBeLessThan(500)
    }
    expect(mock.requests).toHaveLength(0)
  })

  test('DELETE still reaches the upstream (files, batches)', async () => {
    const raw = await rawRequest(gateway.url, httpRequest('DELETE', '/v1/files/file-1', { authorization: 'Bearer sk-test' }))
    expect(raw.status).toBeLessThan(500)
    expect(mock.requests).toHaveLength(1)
  })
})

describe('a fragment in the request target', () => {
  test('is the client’s own: the request is proxied, and the fragment never goes upstream', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    const raw = await rawRequest(gateway.url, httpRequest('POST', '/v1/chat/completions?x=1#frag', { 'content-type': 'application/json', authorization: 'Bearer sk-test' }, body))
    expect(raw.status).toBe(200)
    expect(mock.requests).toHaveLength(1)
    expect(mock.requests[0]!.path).toBe('/v1/chat/completions')
    expect(mock.requests[0]!.search).toBe('?x=1')
  })
})
