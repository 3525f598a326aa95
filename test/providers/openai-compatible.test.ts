import { describe, expect, test } from 'bun:test'
import { openAICompatible } from '../../src/providers/openai-compatible'
import type { ClientRequest, UpstreamRequest } from '../../src/providers/types'

const provider = openAICompatible({ id: 'openai' })
const target = { baseUrl: 'https://api.openai.test' }

function request(path: string, json: Record<string, unknown>): ClientRequest {
  return { method: 'POST', path, search: '', headers: new Headers({ authorization: 'Bearer sk-test' }), body: new TextEncoder().encode(JSON.stringify(json)), json }
}
const upstreamBody = (req: ClientRequest) => (provider.toUpstream(req, target) as UpstreamRequest).body

describe('openAICompatible: usage in streamed chat completions', () => {
  const messages = [{ role: 'user', content: 'hi' }]

  test('a stream that does not say gets include_usage: true, its other stream_options kept', () => {
    const body = upstreamBody(request('/v1/chat/completions', { model: 'm', messages, stream: true, stream_options: { include_obfuscation: false } }))
    expect(JSON.parse(String(body))).toEqual({ model: 'm', messages, stream: true, stream_options: { include_obfuscation: false, include_usage: true } })
  })

  test('include_usage: true goes up byte for byte', () => {
    const req = request('/v1/chat/completions', { model: 'm', messages, stream: true, stream_options: { include_usage: true } })
    expect(upstreamBody(req)).toBe(req.body!)
  })

  test('include_usage: false is obeyed: byte for byte, no usage asked for', () => {
    const req = request('/v1/chat/completions', { model: 'm', messages, stream: true, stream_options: { include_usage: false } })
    expect(upstreamBody(req)).toBe(req.body!)
  })

  test('answers that are not streams, and other paths, go up byte for byte', () => {
    for (const req of [request('/v1/chat/completions', { model: 'm', messages }), request('/v1/completions', { model: 'm', prompt: 'hi', stream: true })]) {
      expect(upstreamBody(req)).toBe(req.body!)
    }
  })

  test('a provider that rejects stream_options is not sent it', () => {
    const mistral = openAICompatible({ id: 'mistral', acceptsStreamOptions: false })
    const req = request('/v1/chat/completions', { model: 'm', messages, stream: true })
    expect((mistral.toUpstream(req, target) as UpstreamRequest).body).toBe(req.body!)
  })
})
