import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startMockAnthropic } from '../support/mock-anthropic'
import { chunkTexts, startMockOpenAI } from '../support/mock-openai'
import { waitForRecords } from '../support/gateway'
import { seededRandom } from '../support/chunking'
import { deadPortUrl, startRoutingGateway, writeRoutingFile } from '../support/routing-gateway'

// Two OpenAI-shaped upstreams: `groq` and `together` point at the first, `openai` at the second.
const primary = startMockOpenAI()
const secondary = startMockOpenAI()
const dead = deadPortUrl()
const anthropic = startMockAnthropic()

const file = writeRoutingFile({
  providers: {
    groq: { api_key: 'gsk-server', base_url: primary.url },
    openai: { api_key: 'sk-server', base_url: secondary.url },
    together: { api_key: 'tg-server', base_url: dead },
    anthropic: { api_key: 'sk-ant-server', base_url: anthropic.url },
  },
  models: {
    smart: { strategy: 'fallback', retry: { attempts: 2, backoff_ms: 1 }, targets: [{ provider: 'groq', model: 'llama-3.3-70b-versatile' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    deadfirst: { strategy: 'fallback', retry: { attempts: 1, backoff_ms: 1 }, targets: [{ provider: 'together', model: 'meta-llama' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    impatient: { strategy: 'fallback', targets: [{ provider: 'groq', model: 'slow-model', first_byte_timeout_ms: 150 }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    claude: { strategy: 'fallback', targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    unconfigured: { strategy: 'fallback', retry: { attempts: 2, backoff_ms: 1 }, targets: [{ provider: 'azure', model: 'gpt-4o' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    lb: { strategy: 'loadbalance', targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 3 }, { provider: 'openai', model: 'gpt-4.1-mini', weight: 1 }] },
  },
  gateway_keys: [{ key: 'gw-team', name: 'team' }],
})
const gateway = startRoutingGateway(file, { random: seededRandom(7) })
afterAll(() => {
  gateway.stop()
  primary.stop()
  secondary.stop()
  anthropic.stop()
})
beforeEach(() => {
  primary.reset()
  secondary.reset()
  anthropic.reset()
  gateway.records.length = 0
})

const client = (apiKey = 'gw-team') => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 })
const messages = [{ role: 'user' as const, content: 'Say hello' }]
const lastRecord = async () => (await waitForRecords(gateway as never, 1)).at(-1)!

describe('model aliases', () => {
  test('fallback: 500s before the first byte are retried, then the next target serves with its model and server key', async () => {
    primary.scenario.error = { status: 500, message: 'boom', type: 'server_error', code: null }
    const answer = await client().chat.completions.create({ model: 'smart', messages })
    expect(answer.choices[0]!.message.content).toBe(chunkTexts(5).join(''))
    expect(primary.requests).toHaveLength(3)
    expect(primary.requests.map((r) => JSON.parse(r.body).model)).toEqual(Array(3).fill('llama-3.3-70b-versatile'))
    expect(primary.requests[0]!.headers.authorization).toBe('Bearer gsk-server')
    expect(secondary.requests).toHaveLength(1)
    expect(JSON.parse(secondary.requests[0]!.body)).toEqual({ model: 'gpt-4o-mini', messages })
    expect(secondary.requests[0]!.headers.authorization).toBe('Bearer sk-server')
    const record = await lastRecord()
    expect(record.attributes.provider).toBe('openai')
    expect(record.attributes.metadata.routing).toEqual({
      alias: 'smart',
      target_provider: 'openai',
      target_model: 'gpt-4o-mini',
      attempts: 4,
      failures: Array(3).fill({ provider: 'groq', model: 'llama-3.3-70b-versatile', status: 500, error: null }),
    })
  })

  test('fallback: 429s move on the same way', async () => {
    primary.scenario.error = { status: 429, message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' }
    await client().chat.completions.create({ model: 'smart', messages })
    expect(primary.requests).toHaveLength(3)
    expect(secondary.requests).toHaveLength(1)
    expect((await lastRecord()).attributes.metadata.routing!.failures.map((f) => f.status)).toEqual([429, 429, 429])
  })

  test("a 429's retry-after is waited out before the retry, instead of the 1 ms backoff", async () => {
    primary.scenario.error = { status: 429, message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' }
    primary.scenario.errorHeaders = { 'retry-after': '1' }
    await client().chat.completions.create({ model: 'smart', messages })
    expect(primary.requests).toHaveLength(3)
    const waits = primary.requests.slice(1).map((request, i) => request.at - primary.requests[i]!.at)
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(950)
  }, 10_000)

  test('a client that leaves while the gateway waits to retry ends the wait: no further attempt, a 499 record', async () => {
    primary.scenario.error = { status: 429, message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' }
    primary.scenario.errorHeaders = { 'retry-after': '2' }
    const controller = new AbortController()
    const asked = client().chat.completions.create({ model: 'smart', messages }, { signal: controller.signal }).catch((e: unknown) => e)
    while (primary.requests.length === 0) await Bun.sleep(5)
    await Bun.sleep(100)
    controller.abort()
    await asked
    // The record is finished as the wait ends, not 2 s later when it would have.
    const record = (await waitForRecords(gateway as never, 1, 1000)).at(-1)
    expect(record?.attributes.metadata).toMatchObject({ status_code: 499, error_type: 'client_abort' })
    await Bun.sleep(2200)
    expect(primary.requests).toHaveLength(1)
    expect(secondary.requests).toHaveLength(0)
  }, 10_000)

  test('a 400 is the answer, not a reason to fail over', async () => {
    primary.scenario.error = { status: 400, message: 'bad', type: 'invalid_request_error', code: null }
    const failure = await client().chat.completions.create({ model: 'smart', messages }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError)
    expect(primary.requests).toHaveLength(1)
    expect(secondary.requests).toHaveLength(0)
  })

  test('a dead provider (connection refused) is retried, then skipped', async () => {
    const answer = await client().chat.completions.create({ model: 'deadfirst', messages })
    expect(answer.choices[0]!.finish_reason).toBe('stop')
    const routing = (await lastRecord()).attributes.metadata.routing!
    expect(routing.attempts).toBe(3)
    expect(routing.failures).toEqual(Array(2).fill({ provider: 'together', model: 'meta-llama', status: null, error: 'connect' }))
  })

  test('a target that cannot serve the request at all is not retried: the next one is tried at once', async () => {
    const answer = await client().chat.completions.create({ model: 'unconfigured', messages })
    expect(answer.choices[0]!.finish_reason).toBe('stop')
    const routing = (await lastRecord()).attributes.metadata.routing!
    expect(routing.attempts).toBe(2)
    expect(routing.failures).toEqual([{ provider: 'azure', model: 'gpt-4o', status: null, error: 'provider_not_configured' }])
  })

  test('a slow first byte fails over after the target’s own timeout', async () => {
    primary.scenario.headerDelayMs = 3000
    const answer = await client().chat.completions.create({ model: 'impatient', messages })
    expect(answer.choices[0]!.finish_reason).toBe('stop')
    expect(secondary.requests).toHaveLength(1)
    expect((await lastRecord()).attributes.metadata.routing!.failures).toEqual([{ provider: 'groq', model: 'slow-model', status: null, error: 'first_byte_timeout' }])
  })

  test('when every target fails, the client gets the last answer and the record says so', async () => {
    primary.scenario.error = { status: 503, message: 'down', type: 'server_error', code: null }
    secondary.scenario.error = { status: 502, message: 'down too', type: 'server_error', code: null }
    const failure = await client().chat.completions.create({ model: 'smart', messages }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(OpenAI.APIError)
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502)
    const record = await lastRecord()
    expect(record.attributes.metadata.status).toBe('error')
    expect(record.attributes.metadata.routing!.attempts).toBe(6)
    expect(record.attributes.metadata.routing!.failures.map((f) => f.status)).toEqual([503, 503, 503, 502, 502])
  })

  test('a stream through an alias arrives whole, with usage asked for upstream', async () => {
    const stream = await client().chat.completions.create({ model: 'smart', messages, stream: true })
    const parts: string[] = []
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) parts.push(chunk.choices[0].delta.content)
    expect(parts).toEqual(chunkTexts(5))
    const sent = JSON.parse(primary.requests[0]!.body)
    expect(sent.model).toBe('llama-3.3-70b-versatile')
    expect(sent.stream_options).toEqual({ include_usage: true })
  })

  test("the record keeps the warnings of the target that served: a translated target's, or none after a fallback", async () => {
    await client().chat.completions.create({ model: 'claude', messages, seed: 7 })
    expect(anthropic.requests).toHaveLength(1)
    expect((await lastRecord()).attributes.metadata.warnings).toEqual(['seed dropped: Anthropic has no equivalent'])

    gateway.records.length = 0
    anthropic.scenario.error = { status: 529, type: 'overloaded_error', message: 'Overloaded' }
    await client().chat.completions.create({ model: 'claude', messages, seed: 7 })
    expect(JSON.parse(secondary.requests[0]!.body).seed).toBe(7)
    const record = await lastRecord()
    expect(record.attributes.metadata.routing!.target_provider).toBe('openai')
    expect(record.attributes.metadata.warnings).toEqual([])
  })

  test('loadbalance: 400 requests split about 3:1 by weight (seeded)', async () => {
    for (let i = 0; i < 400; i++) await client().chat.completions.create({ model: 'lb', messages })
    const models = secondary.requests.map((r) => JSON.parse(r.body).model)
    expect(models).toHaveLength(400)
    const share = models.filter((m) => m === 'gpt-4o-mini').length / 400
    expect(share).toBeGreaterThan(0.68)
    expect(share).toBeLessThan(0.82)
  })

  test('a model that is no alias goes to x-provider as before, with that provider’s server key', async () => {
    await client().chat.completions.create({ model: 'gpt-4o', messages })
    expect(JSON.parse(secondary.requests[0]!.body).model).toBe('gpt-4o')
    expect(secondary.requests[0]!.headers.authorization).toBe('Bearer sk-server')
    expect((await lastRecord()).attributes.metadata.routing).toBeUndefined()
  })
})

describe('gateway keys', () => {
  test('a missing or wrong key gets 401 in OpenAI’s error shape, and nothing goes upstream', async () => {
    for (const key of ['', 'gw-wrong', 'gw-team-but-longer']) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
      })
      expect(response.status).toBe(401)
      const body = (await response.json()) as { error: { type: string; code: string } }
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' })
    }
    const sdkFailure = await client('gw-wrong').chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e)
    expect(sdkFailure).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(primary.requests.length + secondary.requests.length).toBe(0)
  })

  test('the gateway key never leaves the gateway, nor reaches a log line', async () => {
    await client().chat.completions.create({ model: 'smart', messages })
    for (const seen of [...primary.requests, ...secondary.requests]) expect(JSON.stringify(seen)).not.toContain('gw-team')
    expect(gateway.logs.join('\n')).not.toContain('gw-team')
  })
})
