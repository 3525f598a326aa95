import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { loadConfig } from '../../src/config/load-config'
import { azure, DEFAULT_AZURE_API_VERSION } from '../../src/providers/azure'
import type { ClientRequest, ProviderTarget, UpstreamRequest } from '../../src/providers/types'
import { startGateway } from '../support/gateway'
import { chunkTexts, completion, startMockOpenAI } from '../support/mock-openai'
import { refusal } from '../support/refusal'

const BASE = 'https://my-resource.openai.azure.test'
const target: ProviderTarget = { baseUrl: BASE, apiVersion: DEFAULT_AZURE_API_VERSION }

function request(path: string, options: { headers?: Record<string, string>; search?: string; json?: Record<string, unknown> } = {}): ClientRequest {
  const json = options.json ?? { model: 'gpt-4o-prod', messages: [] }
  return { method: 'POST', path, search: options.search ?? '', headers: new Headers(options.headers ?? { authorization: 'Bearer azure-key-1' }), body: new TextEncoder().encode(JSON.stringify(json)), json }
}
const urlOf = (req: ClientRequest, t: ProviderTarget = target) => (azure.toUpstream(req, t) as UpstreamRequest).url

describe('azure.toUpstream: URLs', () => {
  const rows: Array<{ name: string; req: ClientRequest; target?: ProviderTarget; url: string }> = [
    { name: 'chat: the model is the deployment; the configured api-version', req: request('/v1/chat/completions'), url: `${BASE}/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21` },
    { name: "the client's api-version query wins and other parameters stay", req: request('/v1/chat/completions', { search: '?api-version=2025-04-01-preview&x=1' }), url: `${BASE}/openai/deployments/gpt-4o-prod/chat/completions?api-version=2025-04-01-preview&x=1` },
    { name: 'an x-azure-api-version header', req: request('/v1/chat/completions', { headers: { 'x-azure-api-version': '2024-06-01' } }), url: `${BASE}/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-06-01` },
    { name: 'an x-azure-deployment header names the deployment', req: request('/v1/embeddings', { headers: { 'x-azure-deployment': 'embed-small' } }), url: `${BASE}/openai/deployments/embed-small/embeddings?api-version=2024-10-21` },
    { name: 'no setting: the built-in default version', req: request('/v1/completions'), target: { baseUrl: BASE }, url: `${BASE}/openai/deployments/gpt-4o-prod/completions?api-version=${DEFAULT_AZURE_API_VERSION}` },
    { name: 'operations outside deployments sit under /openai', req: request('/v1/files', { json: {} }), url: `${BASE}/openai/files?api-version=2024-10-21` },
    { name: 'version v1: the versionless /openai/v1 API', req: request('/v1/chat/completions', { headers: { 'x-azure-api-version': 'v1' } }), url: `${BASE}/openai/v1/chat/completions` },
    { name: 'v1 from the setting', req: request('/v1/chat/completions', { search: '?x=1' }), target: { baseUrl: BASE, apiVersion: 'v1' }, url: `${BASE}/openai/v1/chat/completions?x=1` },
    { name: 'version preview: the v1 API with its preview features', req: request('/v1/responses', { search: '?api-version=preview' }), url: `${BASE}/openai/v1/responses?api-version=preview` },
  ]
  for (const { name, req, target: t, url } of rows) test(name, () => expect(urlOf(req, t)).toBe(url))
})

describe('azure.toUpstream: credentials', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSJ9.c2lnbmF0dXJl'
  const rows: Array<{ name: string; client: Record<string, string>; apiKey: string | null; authorization: string | null }> = [
    { name: 'a Bearer API key becomes api-key', client: { authorization: 'Bearer azure-key-1' }, apiKey: 'azure-key-1', authorization: null },
    { name: "the client's api-key is used as is", client: { 'api-key': 'azure-key-2', authorization: 'Bearer other' }, apiKey: 'azure-key-2', authorization: null },
    { name: 'an Entra ID token (a JWT) stays a Bearer token', client: { authorization: `Bearer ${jwt}` }, apiKey: null, authorization: `Bearer ${jwt}` },
    { name: 'no credential', client: {}, apiKey: null, authorization: null },
  ]
  for (const { name, client, apiKey, authorization } of rows) {
    test(name, () => {
      const { headers } = azure.toUpstream(request('/v1/chat/completions', { headers: client }), target) as UpstreamRequest
      expect(headers.get('api-key')).toBe(apiKey)
      expect(headers.get('authorization')).toBe(authorization)
    })
  }
  test('the body goes up as received, not re-serialised', () => {
    const req = request('/v1/chat/completions')
    expect((azure.toUpstream(req, target) as UpstreamRequest).body).toBe(req.body!)
  })
  test('a streamed chat completion asks Azure for usage, so telemetry can count its tokens', () => {
    const req = request('/v1/chat/completions', { json: { model: 'gpt-4o-prod', messages: [], stream: true } })
    const body = JSON.parse(String((azure.toUpstream(req, target) as UpstreamRequest).body))
    expect(body).toEqual({ model: 'gpt-4o-prod', messages: [], stream: true, stream_options: { include_usage: true } })
  })
  test('but not of an api-version older than stream_options (2024-09-01-preview), which would answer 400', () => {
    for (const [version, asked] of [['2024-06-01', false], ['2024-08-01-preview', false], ['2024-09-01-preview', true], ['2025-04-01-preview', true], ['v1', true]] as const) {
      const req = request('/v1/chat/completions', { json: { model: 'gpt-4o-prod', messages: [], stream: true }, search: `?api-version=${version}` })
      const sent = (azure.toUpstream(req, target) as UpstreamRequest).body
      expect(asked ? JSON.parse(String(sent)).stream_options : sent).toEqual(asked ? { include_usage: true } : req.body!)
    }
  })
})

describe('azure.toUpstream: refusals', () => {
  const rows: Array<{ name: string; req: ClientRequest; target?: ProviderTarget; code: string }> = [
    { name: 'AZURE_OPENAI_BASE_URL not set', req: request('/v1/chat/completions'), target: { baseUrl: '' }, code: 'provider_not_configured' },
    { name: 'no deployment', req: request('/v1/embeddings', { json: { input: 'x' } }), code: 'missing_deployment' },
    { name: 'a deployment that would leave its path segment', req: request('/v1/chat/completions', { json: { model: '../admin' } }), code: 'invalid_deployment' },
    { name: 'a deployment with a query in it', req: request('/v1/chat/completions', { headers: { 'x-azure-deployment': 'gpt?x=1' } }), code: 'invalid_deployment' },
  ]
  for (const { name, req, target: t = target, code } of rows) {
    test(name, () => {
      const thrown = refusal(() => azure.toUpstream(req, t))
      expect(thrown.status).toBe(400)
      expect(thrown.code).toBe(code)
    })
  }
})

describe('Azure settings', () => {
  test('AZURE_OPENAI_* settings belong to the provider id azure', () => {
    const loaded = loadConfig({ AZURE_OPENAI_BASE_URL: 'https://r.openai.azure.com/', AZURE_OPENAI_API_VERSION: 'v1' })
    expect(loaded.ok && [loaded.config.baseUrls.azure, loaded.config.apiVersions.azure]).toEqual(['https://r.openai.azure.com', 'v1'])
  })
  test('unset: an empty base URL and the default version', () => {
    const loaded = loadConfig({})
    expect(loaded.ok && [loaded.config.baseUrls.azure, loaded.config.apiVersions.azure]).toEqual(['', DEFAULT_AZURE_API_VERSION])
  })
  test('bad values are named', () => {
    const loaded = loadConfig({ AZURE_OPENAI_BASE_URL: 'ftp://r', AZURE_OPENAI_API_VERSION: 'latest' })
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'AZURE_OPENAI_BASE_URL: got "ftp://r", expected an http(s) URL',
      expect.stringContaining('AZURE_OPENAI_API_VERSION: got "latest"'),
    ])
  })
})

describe('OpenAI SDK → gateway → Azure OpenAI', () => {
  const mock = startMockOpenAI()
  const gateway = startGateway({ AZURE_OPENAI_BASE_URL: mock.url, AZURE_OPENAI_API_VERSION: '2025-01-01-preview' })
  const unconfigured = startGateway({})
  afterAll(() => {
    gateway.stop()
    unconfigured.stop()
    mock.stop()
  })
  beforeEach(() => mock.reset())
  const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'azure-key-e2e', defaultHeaders: { 'x-provider': 'azure' }, maxRetries: 0 })
  const messages = [{ role: 'user' as const, content: 'Hi' }]

  test('the mock sees the deployment path, the api-version and the api-key header', async () => {
    const data = await client(gateway.url).chat.completions.create({ model: 'gpt-4o-prod', messages })
    expect(data).toEqual(completion(chunkTexts(5).join('')) as never)
    const seen = mock.requests[0]!
    expect(seen.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions')
    expect(seen.search).toBe('?api-version=2025-01-01-preview')
    expect(seen.headers['api-key']).toBe('azure-key-e2e')
    expect(seen.headers.authorization).toBeUndefined()
  })

  test('a stream passes through', async () => {
    const stream = await client(gateway.url).chat.completions.create({ model: 'gpt-4o-prod', messages, stream: true })
    const parts: string[] = []
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
    expect(parts).toEqual(chunkTexts(5))
  })

  test('without AZURE_OPENAI_BASE_URL: a 400 naming the setting, not a crash', async () => {
    const error = await client(unconfigured.url)
      .chat.completions.create({ model: 'gpt-4o-prod', messages })
      .catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error.error).toMatchObject({ code: 'provider_not_configured' })
    expect(error.message).toContain('AZURE_OPENAI_BASE_URL')
    expect(mock.requests).toHaveLength(0)
  })
})
