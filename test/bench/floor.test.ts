import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Subprocess } from 'bun'
import { MOCK_USAGE, startMockOpenAI, type MockOpenAI } from '../support/mock-openai'

/**
 * The benchmark's `floor` target claims to keep the gateway's guarantees for a JSON request
 * (scripts/bench/floor.ts); its numbers mean something only if it does. Run as the benchmark
 * runs it, in front of a mock OpenAI.
 */
const ROOT = new URL('../../', import.meta.url).pathname
let mock: MockOpenAI
let floor: Subprocess<'ignore', 'pipe', 'inherit'>
let url: string

beforeAll(async () => {
  mock = startMockOpenAI()
  floor = Bun.spawn({ cmd: [process.execPath, 'scripts/bench/floor.ts'], cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: '0', UPSTREAM: mock.url }, stdio: ['ignore', 'pipe', 'inherit'] })
  let printed = ''
  for await (const text of floor.stdout.pipeThrough(new TextDecoderStream())) {
    printed += text
    const port = /listening on (\d+)/.exec(printed)?.[1]
    if (port !== undefined) {
      url = `http://127.0.0.1:${port}`
      break
    }
  }
  // Its output ended without the line: it exited (the reason is on stderr, inherited).
  if (url === undefined) throw new Error(`scripts/bench/floor.ts did not start: ${printed}`)
})

afterAll(() => {
  floor?.kill()
  mock?.stop()
})

const chat = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers }, body })

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code

describe('the floor target', () => {
  test('passes the upstream answer on (its usage intact) under its own request id, and sends only the allowed client headers', async () => {
    mock.reset()
    const response = await chat(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), { cookie: 'session=1', 'x-provider': 'openai' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(((await response.json()) as { usage: unknown }).usage).toEqual(MOCK_USAGE)
    const sent = mock.requests[0]!
    expect(sent.headers.authorization).toBe('Bearer sk-test')
    expect(sent.headers.cookie).toBeUndefined()
    expect(sent.headers['x-provider']).toBeUndefined()
  })

  test('refuses malformed JSON and a chat request without messages with the gateway’s 400s, before going upstream', async () => {
    mock.reset()
    const malformed = await chat('{"model":')
    expect(malformed.status).toBe(400)
    expect(await errorCode(malformed)).toBe('invalid_json')
    const noMessages = await chat(JSON.stringify({ model: 'gpt-4o-mini' }))
    expect(noMessages.status).toBe(400)
    expect(await errorCode(noMessages)).toBe('invalid_messages')
    expect(mock.requests).toHaveLength(0)
  })

  test('hands an event stream on as it came', async () => {
    mock.reset()
    const response = await chat(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }))
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const text = await response.text()
    expect(text).toContain('data: [DONE]')
  })
})
