import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { bedrock } from '../../../src/providers/bedrock'
import type { ClientRequest } from '../../../src/providers/types'
import { modulesLoaded } from '../../support/modules-loaded'
import { refusal } from '../../support/refusal'

const target = {
  baseUrl: 'https://bedrock-runtime.{region}.amazonaws.com',
  aws: { accessKeyId: 'AKIDENV', secretAccessKey: 'envsecret', region: 'us-east-1' },
}

function clientRequest(json: Record<string, unknown> | undefined, headers: Record<string, string> = {}, path = '/v1/chat/completions'): ClientRequest {
  const body = json === undefined ? null : new TextEncoder().encode(JSON.stringify(json))
  return { method: 'POST', path, search: '', headers: new Headers(headers), body, json }
}

describe('bedrock.toUpstream', () => {
  test('the region goes into the default host; only signed AWS headers go upstream', async () => {
    const request = clientRequest(
      { model: 'meta.llama3-70b-instruct-v1:0', messages: [{ role: 'user', content: 'hi' }], stream: true },
      {
        authorization: 'Bearer sk-client',
        'x-api-key': 'client-key',
        'x-provider': 'bedrock',
        'user-agent': 'OpenAI/JS',
        'x-aws-access-key-id': 'AKIDCLIENT',
        'x-aws-secret-access-key': 'clientsecret',
        'x-aws-session-token': 'clienttoken',
        'x-aws-region': 'eu-west-3',
      },
    )
    const upstream = await bedrock.toUpstream(request, target)
    expect(upstream.url).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com/model/meta.llama3-70b-instruct-v1%3A0/converse-stream')
    expect(upstream.method).toBe('POST')
    expect([...upstream.headers.keys()].sort()).toEqual(['accept', 'authorization', 'content-type', 'x-amz-date', 'x-amz-security-token'])
    expect(upstream.headers.get('accept')).toBe('application/vnd.amazon.eventstream')
    expect(upstream.headers.get('authorization')).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDCLIENT\/\d{8}\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    )
    expect(upstream.headers.get('x-amz-security-token')).toBe('clienttoken')
    expect(JSON.parse(new TextDecoder().decode(upstream.body as Uint8Array))).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })
  })

  test('a non-streaming request goes to converse and asks for JSON', async () => {
    const upstream = await bedrock.toUpstream(clientRequest({ model: 'amazon.nova-pro-v1:0', messages: [{ role: 'user', content: 'hi' }] }), target)
    expect(upstream.url).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse')
    expect(upstream.headers.get('accept')).toBe('application/json')
    expect(upstream.warnings).toEqual([])
  })

  test('what the conversion left out travels with the upstream request, for the record', async () => {
    const upstream = await bedrock.toUpstream(clientRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], seed: 7, presence_penalty: 0.5 }), target)
    expect(upstream.warnings).toEqual([
      "presence_penalty is not supported by Bedrock's Converse API and was ignored",
      "seed is not supported by Bedrock's Converse API and was ignored",
    ])
  })

  test('an inference profile ARN is one path segment', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0'
    const upstream = await bedrock.toUpstream(clientRequest({ model: arn, messages: [{ role: 'user', content: 'hi' }] }), target)
    expect(new URL(upstream.url).pathname).toBe(`/model/${encodeURIComponent(arn)}/converse`)
  })

  const refused: Array<{ name: string; request: ClientRequest; status: number; message: string }> = [
    { name: 'another route', request: clientRequest({ model: 'm', input: 'x' }, {}, '/v1/embeddings'), status: 404, message: 'POST /v1/chat/completions' },
    { name: 'a body that is not JSON', request: clientRequest(undefined), status: 400, message: 'JSON object' },
    { name: 'no model', request: clientRequest({ messages: [{ role: 'user', content: 'hi' }] }), status: 400, message: '`model`' },
  ]
  for (const { name, request, status, message } of refused) {
    test(`refuses ${name}`, async () => {
      const error = await Promise.resolve(bedrock.toUpstream(request, target)).catch((e) => e)
      expect(refusal(() => {
        throw error
      })).toMatchObject({ status, message: expect.stringContaining(message) })
    })
  }
})

describe('loading', () => {
  const registry = JSON.stringify(join(import.meta.dir, '../../../src/providers/index.ts'))
  const bedrockRequest = `
    const body = new TextEncoder().encode(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }))
    const request = { method: 'POST', path: '/v1/chat/completions', search: '', headers: new Headers(), body, json: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } }
    const upstream = await providers.get('bedrock').toUpstream(request, ${JSON.stringify(target)})
    if (!upstream.headers.get('authorization')?.startsWith('AWS4-HMAC-SHA256 ')) throw new Error('unsigned')
  `

  test('the provider registry loads none of the AWS libraries', () => {
    expect(modulesLoaded(`const { providers } = await import(${registry})`, '/@smithy/')).toBe(0)
  })

  test('the first Bedrock request loads them, and is signed', () => {
    expect(modulesLoaded(`const { providers } = await import(${registry})\n${bedrockRequest}`, '/@smithy/')).toBeGreaterThan(0)
  })
})
