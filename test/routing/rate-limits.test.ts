import { afterAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { waitForRecords } from '../support/gateway'
import { MOCK_USAGE, startMockOpenAI } from '../support/mock-openai'
import { startRoutingGateway, writeRoutingFile } from '../support/routing-gateway'

const mock = startMockOpenAI()
let now = 1_000_000
const gateway = startRoutingGateway(
  writeRoutingFile({
    providers: { openai: { api_key: 'sk-server', base_url: mock.url } },
    gateway_keys: [
      { key: 'gw-rpm', rpm: 2 },
      { key: 'gw-tpm', tpm: MOCK_USAGE.total_tokens },
      { key: 'gw-tpm-stream', tpm: 1 },
      { key: 'gw-free' },
    ],
  }),
  { now: () => now },
)
afterAll(() => {
  gateway.stop()
  mock.stop()
})

const client = (apiKey: string) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 })
const messages = [{ role: 'user' as const, content: 'Say hello' }]
const ask = (apiKey: string) => client(apiKey).chat.completions.create({ model: 'gpt-4o-mini', messages })

describe('per-key rate limits', () => {
  test('requests per minute: the third request of the minute gets 429 with retry-after, other keys go on', async () => {
    await ask('gw-rpm')
    now += 15_000
    await ask('gw-rpm')
    const failure = await ask('gw-rpm').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError)
    const error = failure as InstanceType<typeof OpenAI.RateLimitError>
    expect(error.headers.get('retry-after')).toBe('45')
    expect(error.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' })
    await ask('gw-free')
    now += 45_000
    await ask('gw-rpm')
  })

  test('a stream whose usage stays unknown (include_usage: false) counts its estimated prompt tokens', async () => {
    const before = gateway.records.length
    const stream = await client('gw-tpm-stream').chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: false } })
    for await (const _ of stream);
    const record = (await waitForRecords(gateway as never, before + 1)).at(-1)
    expect(record!.attributes.metadata.tokens.total).toBeNull()
    const failure = await ask('gw-tpm-stream').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError)
    now += 60_000
  })

  test('a request refused before it went upstream (invalid JSON) uses none of the tokens per minute', async () => {
    for (let i = 0; i < 3; i++) {
      const refused = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer gw-tpm-stream', 'content-type': 'application/json' }, body: `{"model": "gpt-4o-mini", "messages": [${'x'.repeat(100)}` })
      expect(refused.status).toBe(400)
    }
    expect((await ask('gw-tpm-stream')).choices[0]!.message.content).toBeString()
    now += 60_000
  })

  test('a request the upstream refused (400) uses none of the tokens per minute', async () => {
    mock.scenario.error = { status: 400, message: 'bad request', type: 'invalid_request_error', code: 'invalid_value' }
    for (let i = 0; i < 3; i++) expect(await ask('gw-tpm-stream').catch((e: unknown) => (e as { status?: number }).status)).toBe(400)
    mock.reset()
    expect((await ask('gw-tpm-stream')).choices[0]!.message.content).toBeString()
    now += 60_000
  })

  test('tokens per minute count the usage of finished requests', async () => {
    const before = gateway.records.length
    await ask('gw-tpm')
    await waitForRecords(gateway as never, before + 1)
    const failure = await ask('gw-tpm').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError)
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('tokens per minute')
    now += 60_000
    await ask('gw-tpm')
  })

  test('a request refused because those in flight hold the minute’s tokens is recorded with what it asked for', async () => {
    // A is let in, then its body is slow to come; meanwhile B comes whole and holds its estimate
    // (the upstream takes 300 ms). When A's body is in, the tokens in flight are past the limit.
    mock.reset()
    mock.scenario.headerDelayMs = 300
    const before = gateway.records.length
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    const { port } = new URL(gateway.url)
    let answer = ''
    const socket = await Bun.connect({ hostname: '127.0.0.1', port: Number(port), socket: { data: (_, data) => void (answer += data.toString()) } })
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer gw-tpm-stream\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.slice(0, 10)}`)
    await Bun.sleep(50)
    const b = ask('gw-tpm-stream')
    while (mock.requests.length === 0) await Bun.sleep(5)
    socket.write(body.slice(10))
    const deadline = performance.now() + 2000
    while (!answer.includes('\r\n\r\n') && performance.now() < deadline) await Bun.sleep(5)
    socket.end()
    expect(answer).toStartWith('HTTP/1.1 429')
    await b
    const refused = gateway.records.slice(before).find((record) => record.attributes.metadata.status_code === 429)
    expect(refused?.attributes.model).toBe('gpt-4o-mini')
    expect(refused?.attributes.metadata).toMatchObject({ error_type: 'rate_limit_exceeded', stream: false, request_size: body.length })
    mock.reset()
    now += 60_000
  })
})
