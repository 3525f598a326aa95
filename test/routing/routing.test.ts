import { describe, expect, test } from 'bun:test'
import { silentLogger } from '../../src/logger'
import { createRouting, RoutingConfigError, RoutingRefusal } from '../../src/routing/routing'
import { writeRoutingFile } from '../support/routing-gateway'

const knownProviders = new Set(['openai', 'anthropic', 'azure', 'groq'])
const routingFor = (file: unknown, apiKeys: string[] = [], auth: 'keys' | 'none' = 'keys') =>
  createRouting({ settings: { configFile: file === undefined ? undefined : writeRoutingFile(file), apiKeys, auth }, knownProviders, logger: silentLogger })

const clientHeaders = () => new Headers({ authorization: 'Bearer gw-key', 'x-api-key': 'gw-key', 'api-key': 'gw-key', 'content-type': 'application/json' })

describe('createRouting', () => {
  test('without a file or keys, client headers pass through as the same object and nobody is asked for a key', () => {
    const routing = routingFor(undefined)
    const headers = clientHeaders()
    expect(routing.upstreamHeaders(headers, 'openai')).toBe(headers)
    expect(routing.admit(new Headers())).toBeNull()
    expect(routing.plan('anything')).toBeNull()
  })

  const serverKeys = { providers: { openai: { api_key: 'sk-o' }, anthropic: { api_key: 'sk-ant' }, azure: { api_key: 'az-key' } } }
  const rows: [string, Record<string, string>][] = [
    ['openai', { authorization: 'Bearer sk-o', 'content-type': 'application/json' }],
    ['anthropic', { 'x-api-key': 'sk-ant', 'content-type': 'application/json' }],
    ['azure', { 'api-key': 'az-key', 'content-type': 'application/json' }],
    ['groq', { 'content-type': 'application/json' }],
  ]
  test.each(rows)('server key for %s goes in its own header; the gateway key is gone', (provider, expected) => {
    const routing = routingFor(serverKeys, ['gw-key'])
    expect(Object.fromEntries(routing.upstreamHeaders(clientHeaders(), provider))).toEqual(expected)
  })

  test('admit: a Bearer or x-api-key gateway key is accepted, anything else is a 401 refusal', () => {
    const routing = routingFor({ gateway_keys: [{ key: 'file-key', name: 'from-file' }] }, ['env-key'])
    expect(routing.admit(new Headers({ authorization: 'Bearer env-key' }))!.name).toBe('GATEWAY_API_KEYS[0]')
    expect(routing.admit(new Headers({ 'x-api-key': 'file-key' }))!.name).toBe('from-file')
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer env-ke' }, { authorization: 'Basic env-key' }, { 'x-api-key': '' }]) {
      let refusal: unknown
      try {
        routing.admit(new Headers(headers))
      } catch (error) {
        refusal = error
      }
      expect(refusal).toBeInstanceOf(RoutingRefusal)
      expect((refusal as RoutingRefusal).status).toBe(401)
    }
  })

  test('server keys without gateway keys throw unless auth is none', () => {
    expect(() => routingFor(serverKeys)).toThrow(RoutingConfigError)
    expect(() => routingFor(serverKeys, [], 'none')).not.toThrow()
  })

  test('a file that cannot be read is a config error naming it', () => {
    expect(() => createRouting({ settings: { configFile: '/nonexistent/gateway.yaml', apiKeys: [], auth: 'keys' }, knownProviders, logger: silentLogger })).toThrow('cannot read')
  })
})
