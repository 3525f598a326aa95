import { afterAll, describe, expect, test } from 'bun:test'
import { waitFor } from '../support/elasticsearch'
import { startFakeElasticsearch } from '../support/fake-elasticsearch'
import { startGateway, waitForRecords } from '../support/gateway'
import { startGatewayProcess } from '../support/gateway-process'
import { startMockOpenAI } from '../support/mock-openai'

/** Each secret is distinctive, so a single occurrence anywhere is found. */
const SECRETS = {
  authorization: 'Bearer sk-proj-SECRETauthorization0123456789',
  'x-api-key': 'test-ant-SECRETxapikey0123456789',
  'api-key': 'SECRETazureapikey0123456789',
  'x-aws-access-key-id': 'TESTAKIDSECRETACCESSKEY01',
  'x-aws-secret-access-key': 'SECRETawssecretaccesskey0123456789abcdefgh',
  'x-aws-session-token': 'SECRETawssessiontoken0123456789',
}
const ES_PASSWORD = 'SECRETelasticpassword0123'
const secretValues = [...Object.values(SECRETS).map((v) => v.replace(/^Bearer /, '')), ES_PASSWORD, btoa(`elastic:${ES_PASSWORD}`)]

function expectNoSecret(text: string, where: string) {
  for (const secret of secretValues) {
    if (text.includes(secret)) throw new Error(`${where} contains the secret ${secret.slice(0, 12)}…`)
  }
}

const body = (stream: boolean) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream })

/** Requests that touch every path a header could leak on: success, stream, upstream errors, gateway errors, translation. */
async function sendEverywhere(url: string, mock: ReturnType<typeof startMockOpenAI>) {
  const send = async (path: string, provider: string, payload: string | undefined, extra: Record<string, string> = {}) => {
    try {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { ...SECRETS, 'content-type': 'application/json', 'x-provider': provider, ...extra }, body: payload })
      return await response.text()
    } catch (error) {
      // A stream that fails part-way (the point of some cases here) ends the fetch with an error.
      return String(error)
    }
  }
  const answers: string[] = []
  answers.push(await send('/v1/chat/completions', 'openai', body(false)))
  answers.push(await send('/v1/chat/completions', 'openai', body(true)))
  mock.scenario.error = { status: 401, message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' }
  answers.push(await send('/v1/chat/completions', 'openai', body(false)))
  mock.reset()
  mock.scenario.dieAfterChunks = 1
  mock.scenario.chunkDelayMs = 10
  answers.push(await send('/v1/chat/completions', 'openai', body(true)))
  mock.reset()
  answers.push(await send('/v1/chat/completions', 'openai', '{not json'))
  answers.push(await send('/v1/chat/completions', 'no-such-provider', body(false)))
  answers.push(await send('/v1/chat/completions', 'anthropic', body(true)))
  answers.push(await send('/v1/messages', 'anthropic', JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })))
  // Bedrock signs with the client's AWS headers; its host here refuses the connection.
  answers.push(await send('/v1/chat/completions', 'bedrock', body(false), { 'x-aws-region': 'us-east-1' }))
  answers.push(await send('/v1/chat/completions', 'azure', body(false)))
  return answers
}

describe('secrets never reach a log line, a record or an answer', () => {
  const mock = startMockOpenAI()
  const es = startFakeElasticsearch()
  afterAll(() => {
    mock.stop()
    es.stop()
  })

  test('in process, logging at debug level, with Elasticsearch refusing the password once', async () => {
    es.script.push({ kind: 'status', status: 401 })
    const gateway = startGateway(
      {
        OPENAI_BASE_URL: mock.url,
        ANTHROPIC_BASE_URL: mock.url,
        BEDROCK_BASE_URL: 'http://127.0.0.1:1',
        ENABLE_ELASTICSEARCH: 'true',
        ELASTICSEARCH_URL: es.url,
        ELASTICSEARCH_USERNAME: 'elastic',
        ELASTICSEARCH_PASSWORD: ES_PASSWORD,
        ELASTICSEARCH_SETUP: 'true',
        ELASTICSEARCH_FLUSH_INTERVAL_MS: '20',
      },
      { captureLogs: true },
    )
    try {
      await gateway.telemetry.setUp()
      const answers = await sendEverywhere(gateway.url, mock)
      const records = await waitForRecords(gateway, answers.length)
      expect(records).toHaveLength(answers.length)
      // The secrets did go where they belong: the upstream got the client's key, Elasticsearch the password.
      expect(mock.requests.some((r) => r.headers.authorization === SECRETS.authorization)).toBe(true)
      expect(es.authorizations).toContain(`Basic ${btoa(`elastic:${ES_PASSWORD}`)}`)
      // Elasticsearch refused once (401), so the warning path ran; then the records arrived.
      const ids = records.map((r) => r.attributes.id)
      expect(await waitFor(async () => ids.filter((id) => es.documents.has(id)).length, (n) => n === ids.length)).toBe(ids.length)
      expect(gateway.logs.some((line) => line.includes('401'))).toBe(true)

      expectNoSecret(gateway.logs.join('\n'), 'a log line')
      expectNoSecret(JSON.stringify(records), 'a record')
      expectNoSecret(JSON.stringify([...es.documents.values()]), 'an Elasticsearch document')
      expectNoSecret(answers.join('\n'), 'an answer to the client')
      expectNoSecret(await (await fetch(`${gateway.url}/metrics`)).text(), '/metrics')
    } finally {
      gateway.stop()
    }
  }, 30_000)

  test('a gateway process at LOG_LEVEL=debug: nothing on stderr, Elasticsearch unreachable, then SIGTERM', async () => {
    mock.reset()
    const gateway = await startGatewayProcess({
      LOG_LEVEL: 'debug',
      OPENAI_BASE_URL: mock.url,
      ANTHROPIC_BASE_URL: mock.url,
      BEDROCK_BASE_URL: 'http://127.0.0.1:1',
      ENABLE_ELASTICSEARCH: 'true',
      // Credentials in the URL as well: error messages quoting it must not carry them.
      ELASTICSEARCH_URL: `http://elastic:${ES_PASSWORD}@127.0.0.1:1`,
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: ES_PASSWORD,
      ELASTICSEARCH_FLUSH_INTERVAL_MS: '20',
      SHUTDOWN_TIMEOUT_MS: '2000',
    })
    await sendEverywhere(gateway.url, mock)
    await Bun.sleep(300)
    expect(await gateway.terminate()).toBe(0)
    const stdout = await new Response(gateway.process.stdout).text()
    const output = `${gateway.logLines.join('\n')}\n${stdout}`
    // The failed set-up and the held records were logged (so the test saw the error path), without the password.
    expect(output).toContain('elasticsearch set-up failed')
    expect(output).toContain('ECONNREFUSED')
    expect(output).toContain('the sink never became ready')
    expectNoSecret(output, 'the process output')
  }, 40_000)
})

describe('each provider is handed only the credential headers it reads', () => {
  const mock = startMockOpenAI()
  const gateway = startGateway({ OPENAI_BASE_URL: mock.url, GROQ_BASE_URL: mock.url, ANTHROPIC_BASE_URL: mock.url, AZURE_OPENAI_BASE_URL: mock.url })
  afterAll(() => {
    gateway.stop()
    mock.stop()
  })

  // A client that holds several providers' keys sends them all; each upstream sees its own.
  const cases: Array<[string, string, string, string[]]> = [
    ['openai', '/v1/chat/completions', body(false), ['authorization']],
    ['groq', '/v1/chat/completions', body(false), ['authorization']],
    ['anthropic', '/v1/messages', JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), ['authorization', 'x-api-key']],
    ['azure', '/v1/chat/completions', body(false), ['api-key']],
  ]
  for (const [provider, path, payload, expected] of cases) {
    test(`${provider}: ${expected.join(', ')}`, async () => {
      mock.reset()
      await (await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { ...SECRETS, 'content-type': 'application/json', 'x-provider': provider }, body: payload })).text()
      expect(mock.requests).toHaveLength(1)
      const sent = mock.requests[0]!.headers
      // Every credential the client sent, AWS keys included, is checked: only the expected ones arrive.
      expect(Object.keys(SECRETS).filter((name) => name in sent)).toEqual(expected)
      for (const name of expected) expect(sent[name]).toBe(SECRETS[name as keyof typeof SECRETS])
      // Nor does any secret arrive under another header name.
      const others = Object.entries(sent).filter(([name]) => !expected.includes(name))
      expectNoSecret(JSON.stringify(others), `the headers ${provider} received`)
    })
  }
})
