import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { toBulkEntry } from '../../src/telemetry/bulk-entry'
import { startMockOpenAI } from '../support/mock-openai'
import { startRoutingGateway, writeRoutingFile } from '../support/routing-gateway'

/**
 * JSON that `JSON.parse` takes but `JSON.stringify` cannot give back: nested deeper than its
 * stack reaches (between 20,000 and 50,000 levels), in a body of a few hundred KB.
 */
const DEPTH = 100_000
const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`

const mock = startMockOpenAI()
const routingFile = writeRoutingFile({ models: { smart: { strategy: 'fallback', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] } } })
const gateway = startRoutingGateway(routingFile, { env: { OPENAI_BASE_URL: mock.url, ANTHROPIC_BASE_URL: mock.url, OPENAI_API_KEY: 'sk-server', ANTHROPIC_API_KEY: 'sk-ant-server' } })
afterAll(() => {
  gateway.stop()
  mock.stop()
})
beforeEach(() => {
  mock.reset()
  gateway.records.length = 0
})

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: response.status, body: (await response.json()) as any }
}

describe('JSON nested too deeply to serialise again is a 400, not a 500', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['a stream to OpenAI (stream_options is added)', `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}],"x":${deep}}`, {}],
    ['a request translated for Anthropic', `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"x":${deep}}}}]}`, { 'x-provider': 'anthropic' }],
    ['a model alias (the target model is written into the body)', `{"model":"smart","messages":[{"role":"user","content":"hi"}],"x":${deep}}`, {}],
  ]
  for (const [name, body, headers] of cases) {
    test(name, async () => {
      const answer = await post(body, headers)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_deep' })
      expect(mock.requests).toHaveLength(0)
      expect(gateway.logs.filter((line) => line.includes('"level":"error"'))).toEqual([])
      // The request's record still goes to Elasticsearch, without the payload it cannot serialise.
      const [record] = gateway.records
      expect(record!.attributes.metadata).toMatchObject({ status: 'error', status_code: 400, error_type: 'request_too_deep' })
      const document = JSON.parse(toBulkEntry(record!, 'ai-gateway').split('\n')[1]!)
      expect(document.attributes.request).toEqual({ unserialisable: true })
      expect(document.attributes.metadata.status_code).toBe(400)
    })
  }

  test('the same body without the deep part goes through (the refusal is about depth)', async () => {
    const answer = await post('{"model":"gpt-4o-mini","stream":false,"messages":[{"role":"user","content":"hi"}],"x":[[[1]]]}')
    expect(answer.status).toBe(200)
  })
})

describe('a model name that is not well-formed Unicode', () => {
  test('a lone surrogate → 400 invalid_model before any provider sees it', async () => {
    const answer = await post('{"model":"\\ud800","messages":[{"role":"user","content":"hi"}]}', { 'x-provider': 'bedrock', 'x-aws-access-key-id': 'AKIDEXAMPLE', 'x-aws-secret-access-key': 'secret', 'x-aws-region': 'us-east-1' })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ code: 'invalid_model' })
    expect(mock.requests).toHaveLength(0)
  })
})
