import { afterAll, describe, expect, test } from 'bun:test'
import type { Socket } from 'bun'
import { startGateway } from '../support/gateway'
import { startMockOpenAI } from '../support/mock-openai'
import { rawRequest } from '../support/raw-http'

const mock = startMockOpenAI()
const gateway = startGateway({ OPENAI_BASE_URL: mock.url })
afterAll(() => {
  gateway.stop()
  mock.stop()
})
const { hostname, port } = new URL(gateway.url)

async function healthy(): Promise<boolean> {
  const response = await fetch(`${gateway.url}/health`)
  return response.status === 200 && ((await response.json()) as { status: string }).status === 'ok'
}

describe('malformed HTTP on the wire', () => {
  test('headers larger than the server accepts → 431, and the gateway lives on', async () => {
    const raw = await rawRequest(gateway.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`)
    expect(raw.status).toBe(431)
    expect(await healthy()).toBe(true)
  })

  test('thousands of headers → 4xx', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `X-H${i}: v`).join('\r\n')
    const raw = await rawRequest(gateway.url, `GET /health HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`)
    expect(raw.status).toBeGreaterThanOrEqual(400)
    expect(raw.status).toBeLessThan(500)
  })

  const brokenChunked: [string, string][] = [
    ['a chunk size that is not hex', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a chunk longer than its size', '2\r\nhello\r\n0\r\n\r\n'],
    ['a chunk size that overflows', 'ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n'],
    ['a missing CRLF after the data', '5\r\nhelloXX0\r\n\r\n'],
  ]
  for (const [name, body] of brokenChunked) {
    test(`chunked body with ${name}: no upstream request, no 5xx, the gateway lives on`, async () => {
      const before = mock.requests.length
      const raw = await rawRequest(
        gateway.url,
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
        3000,
      )
      // Bun's parser answers 400 or drops the connection; the proxy answers 400 if it saw a body it cannot parse.
      if (raw.status !== 0) {
        expect(raw.status).toBeGreaterThanOrEqual(400)
        expect(raw.status).toBeLessThan(500)
      }
      expect(mock.requests.length).toBe(before)
      expect(await healthy()).toBe(true)
    })
  }

  test('a chunked body that stops half-way and the client leaves: no upstream request, the gateway lives on', async () => {
    const before = mock.requests.length
    const socket = await Bun.connect({ hostname, port: Number(port), socket: { data() {} } })
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"model":"gpt-4o')
    await Bun.sleep(50)
    socket.terminate()
    await Bun.sleep(50)
    expect(mock.requests.length).toBe(before)
    expect(await healthy()).toBe(true)
  })

  test('Content-Length and Transfer-Encoding together (request smuggling) are refused', async () => {
    const raw = await rawRequest(
      gateway.url,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n',
    )
    expect(raw.status).toBeGreaterThanOrEqual(400)
    expect(raw.status).toBeLessThan(500)
    expect(raw.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1)
  })
})

describe('the Host a client names', () => {
  // A service name on port 80 (`http://llm/v1`) is a Host of a few characters.
  for (const host of ['x', 'llm', 'ai:80', '[::1]']) {
    test(`Host: ${host} reaches the routes: /health and a completion`, async () => {
      const health = await rawRequest(gateway.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
      expect(health.status).toBe(200)
      const before = mock.requests.length
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      const completion = await rawRequest(
        gateway.url,
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      )
      expect(completion.status).toBe(200)
      expect(JSON.parse(completion.body).object).toBe('chat.completion')
      expect(mock.requests.length).toBe(before + 1)
    })
  }
})

describe('half-open connections (slowloris)', () => {
  test('300 sockets stalled mid request line do not keep /health from answering', async () => {
    const sockets: Socket[] = []
    const before = mock.requests.length
    try {
      for (let i = 0; i < 300; i++) {
        const socket = await Bun.connect({ hostname, port: Number(port), socket: { data() {} } })
        socket.write('POST /v1/chat/comp')
        sockets.push(socket)
      }
      // A generous bound, not a latency measurement: a blocked server would never answer.
      const answered = await Promise.race([healthy(), Bun.sleep(2000).then(() => 'timed out' as const)])
      expect(answered).toBe(true)
      // A request half-way through its headers on a second batch, still stalled.
      for (const socket of sockets.slice(0, 100)) socket.write(' HTTP/1.1\r\nHost: x\r\nContent-Le')
      const again = await Promise.race([healthy(), Bun.sleep(2000).then(() => 'timed out' as const)])
      expect(again).toBe(true)
      expect(mock.requests.length).toBe(before)
    } finally {
      for (const socket of sockets) socket.terminate()
    }
  })
})
