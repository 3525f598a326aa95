import { afterAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import OpenAI from 'openai'
import { startMockOpenAI } from '../support/mock-openai'
import { startRoutingGateway, writeRoutingFile } from '../support/routing-gateway'

const mock = startMockOpenAI()
const fileWith = (alias: string, model: string) => ({
  providers: { openai: { base_url: mock.url } },
  models: { [alias]: { strategy: 'fallback', targets: [{ provider: 'openai', model }] } },
})
const file = writeRoutingFile(fileWith('smart', 'model-one'))
const gateway = startRoutingGateway(file)
afterAll(() => {
  gateway.stop()
  mock.stop()
})

const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-client', maxRetries: 0 })
const upstreamModelFor = async (model: string) => {
  mock.reset()
  await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
  return JSON.parse(mock.requests[0]!.body).model as string
}

describe('reloading the routing file', () => {
  test('a valid new file replaces the aliases; an invalid one is logged and the old one kept', async () => {
    expect(await upstreamModelFor('smart')).toBe('model-one')
    writeFileSync(file, JSON.stringify(fileWith('smart', 'model-two')))
    expect(gateway.routing.reload()).toBe(true)
    expect(await upstreamModelFor('smart')).toBe('model-two')

    writeFileSync(file, JSON.stringify({ models: { smart: { strategy: 'fallback', targets: [{ provider: 'nope', model: 'x' }] } } }))
    expect(gateway.routing.reload()).toBe(false)
    expect(await upstreamModelFor('smart')).toBe('model-two')
    const logged = gateway.logs.find((line) => line.includes('not reloaded'))
    expect(logged).toContain('models.smart.targets[0].provider: unknown provider \\"nope\\"')
  })

  test('a change to the file is picked up by the watcher', async () => {
    const stop = gateway.routing.watch(20)
    try {
      writeFileSync(file, JSON.stringify(fileWith('fresh', 'model-three')))
      const deadline = performance.now() + 5000
      while (gateway.routing.plan('fresh') === null && performance.now() < deadline) await Bun.sleep(20)
      expect(await upstreamModelFor('fresh')).toBe('model-three')
    } finally {
      stop()
    }
  })
})

describe('a routing file caught empty or broken keeps the gateway keys in force', () => {
  const keyed = { gateway_keys: [{ key: 'gw-team-key', name: 'team' }], providers: { openai: { base_url: mock.url } } }
  // YAML: an empty YAML document parses as null, where an empty JSON file is a syntax error.
  const keyedFile = writeRoutingFile(keyed, 'gateway.yaml')
  const guarded = startRoutingGateway(keyedFile)
  afterAll(() => guarded.stop())
  const status = async (key: string | null) =>
    (
      await fetch(`${guarded.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      })
    ).status

  test('an empty file (a writer that truncated it and has not written yet) is refused: keys still required', async () => {
    expect(await status(null)).toBe(401)
    for (const empty of ['', '\n', '# nothing yet\n']) {
      writeFileSync(keyedFile, empty)
      expect(guarded.routing.reload()).toBe(false)
      expect(await status(null)).toBe(401)
      expect(await status('gw-team-key')).toBe(200)
    }
    expect(guarded.logs.some((line) => line.includes('not reloaded') && line.includes('the file is empty'))).toBe(true)
  })

  test('a valid file without keys is taken, and the log says authentication is now off', async () => {
    writeFileSync(keyedFile, JSON.stringify({ providers: { openai: { base_url: mock.url } } }))
    expect(guarded.routing.reload()).toBe(true)
    expect(await status(null)).toBe(200)
    expect(guarded.logs.some((line) => line.includes('no gateway keys: requests are no longer authenticated'))).toBe(true)
  })
})
