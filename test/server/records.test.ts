import { afterAll, describe, expect, test } from 'bun:test'
import { toBulkEntry } from '../../src/telemetry/bulk-entry'
import { startGateway, waitForRecords } from '../support/gateway'

/** What a request's record says, for upstreams shaped to the case. */
async function recordOf(upstream: { port?: number }, path: string, body: string, headers: Record<string, string> = {}) {
  return (await answerAndRecordOf(upstream, path, body, headers)).record
}

async function answerAndRecordOf(upstream: { port?: number }, path: string, body: string, headers: Record<string, string> = {}) {
  const gateway = startGateway({ OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}`, ANTHROPIC_BASE_URL: `http://127.0.0.1:${upstream.port}` })
  try {
    const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers }, body })
    const answer = new Uint8Array(await response.arrayBuffer())
    const [record] = await waitForRecords(gateway, 1)
    return { status: response.status, answer, record: record! }
  } finally {
    gateway.stop()
  }
}

describe('a record’s facts', () => {
  test('a translated JSON answer whose body comes 300 ms after its headers: that time is the upstream’s, not the gateway’s overhead', async () => {
    const message = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } })
    const slowBody = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        data(socket) {
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${message.length}\r\n\r\n`)
          setTimeout(() => socket.end(message), 300)
        },
      },
    })
    try {
      const record = await recordOf(slowBody, '/v1/chat/completions', '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}', { 'x-provider': 'anthropic' })
      const { latency, gateway_overhead_ms: overhead } = record.attributes.metadata
      expect(latency).toBeGreaterThanOrEqual(300)
      // Not a speed bound: the 300 ms the body took must not be counted as the gateway's.
      expect(overhead).toBeLessThan(latency - 250)
    } finally {
      slowBody.stop(true)
    }
  })

  test('a JSON answer past 64 KiB (and past TELEMETRY_MAX_PAYLOAD_BYTES) still gives its tokens and cost; only the stored payload is cut', async () => {
    const embeddings = { object: 'list', model: 'text-embedding-3-small', data: Array.from({ length: 16 }, (_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 1536 }, () => 0.0123456789) })), usage: { prompt_tokens: 1_000_000, total_tokens: 1_000_000 } }
    const big = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json(embeddings) })
    try {
      const record = await recordOf(big, '/v1/embeddings', '{"model":"text-embedding-3-small","input":["a"]}')
      expect(record.attributes.metadata.response_size).toBeGreaterThan(256 * 1024)
      expect(record.attributes.response).toMatchObject({ truncated: true })
      expect(record.attributes.metadata.tokens).toMatchObject({ input: 1_000_000, total: 1_000_000 })
      expect(record.attributes.metadata.cost).toBeCloseTo(0.02, 10)
    } finally {
      big.stop(true)
    }
  })

  test('answers that carry credentials (a Realtime session’s client_secret, an admin API’s new key) are not stored in the document', async () => {
    const answers: Record<string, unknown> = {
      '/v1/realtime/sessions': { id: 'sess_1', object: 'realtime.session', model: 'gpt-realtime', client_secret: { value: 'ek_SECRETephemeral0123456789', expires_at: 1 } },
      '/v1/organization/admin_api_keys': { object: 'organization.admin_api_key', id: 'key_1', value: 'sk-admin-SECRET0123456789' },
    }
    const upstream = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => Response.json(answers[new URL(request.url).pathname]) })
    try {
      for (const [path, body] of [['/v1/realtime/sessions', '{"model":"gpt-realtime"}'], ['/v1/organization/admin_api_keys', '{"name":"ci"}']] as const) {
        const record = await recordOf(upstream, path, body)
        expect(record.attributes.response).toEqual({ withheld: 'this path answers with credentials' })
        expect(toBulkEntry(record, 'ai-gateway')).not.toContain('SECRET')
        expect(record.attributes.metadata.status_code).toBe(200)
      }
    } finally {
      upstream.stop(true)
    }
  })

  test('an error the gateway answers itself (bad JSON, an unknown provider, an unreachable upstream) records the size of the body it sent', async () => {
    const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    const unreachable = { port: closed.port }
    closed.stop(true)
    const cases: { body: string; headers: Record<string, string>; status: number; type: string; path?: string }[] = [
      { body: '{"model":', headers: {}, status: 400, type: 'invalid_json' },
      { body: '{"model":"gpt-4o","messages":[]}', headers: { 'x-provider': 'nonesuch' }, status: 400, type: 'unknown_provider' },
      { body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}', headers: {}, status: 502, type: 'upstream_unreachable' },
      { body: '{"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}', headers: {}, status: 502, type: 'upstream_unreachable', path: '/v1/messages' },
    ]
    for (const { body, headers, status, type, path } of cases) {
      const { status: answered, answer, record } = await answerAndRecordOf(unreachable, path ?? '/v1/chat/completions', body, headers)
      expect(answered).toBe(status)
      expect(answer.byteLength).toBeGreaterThan(0)
      expect(record.attributes.metadata).toMatchObject({ status_code: status, error_type: type, response_size: answer.byteLength })
    }
  })

  test('an error answer to a HEAD request sends no body, and records none', async () => {
    const gateway = startGateway({})
    try {
      const response = await fetch(`${gateway.url}/v1/models`, { method: 'HEAD', headers: { 'x-provider': 'nonesuch' } })
      expect(response.status).toBe(400)
      expect((await response.arrayBuffer()).byteLength).toBe(0)
      const [record] = await waitForRecords(gateway, 1)
      expect(record!.attributes.metadata).toMatchObject({ status_code: 400, error_type: 'unknown_provider', response_size: 0 })
    } finally {
      gateway.stop()
    }
  })
})
