import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { gemini } from '../../src/providers/gemini'
import type { UpstreamRequest } from '../../src/providers/types'
import { startGateway } from '../support/gateway'
import { chunkTexts, startMockOpenAI } from '../support/mock-openai'

describe('gemini.toUpstream', () => {
  const rows: Array<[string, string, string]> = [
    ['/v1/chat/completions', '', 'https://gemini.test/v1beta/openai/chat/completions'],
    ['/v1/embeddings', '', 'https://gemini.test/v1beta/openai/embeddings'],
    ['/v1/models', '?pageSize=5', 'https://gemini.test/v1beta/openai/models?pageSize=5'],
  ]
  for (const [path, search, url] of rows) {
    test(`${path}${search} → ${url}`, () => {
      const up = gemini.toUpstream({ method: 'POST', path, search, headers: new Headers(), body: null, json: undefined }, { baseUrl: 'https://gemini.test' }) as UpstreamRequest
      expect(up.url).toBe(url)
    })
  }
})

describe('OpenAI SDK → gateway → Gemini (OpenAI-compatible API)', () => {
  const mock = startMockOpenAI()
  const gateway = startGateway({ GEMINI_BASE_URL: mock.url })
  afterAll(() => {
    gateway.stop()
    mock.stop()
  })
  beforeEach(() => mock.reset())
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'gemini-key', defaultHeaders: { 'x-provider': 'gemini' }, maxRetries: 0 })

  test('the path is mapped to /v1beta/openai/... and the key goes up as a Bearer token', async () => {
    const stream = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], stream: true })
    const parts: string[] = []
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
    expect(parts).toEqual(chunkTexts(5))
    const seen = mock.requests[0]!
    expect(seen.path).toBe('/v1beta/openai/chat/completions')
    expect(seen.headers.authorization).toBe('Bearer gemini-key')
  })
})
