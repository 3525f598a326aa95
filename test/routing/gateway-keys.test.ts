import { describe, expect, test } from 'bun:test'
import { presentedKey } from '../../src/routing/gateway-keys'

const cases: Array<[string, Record<string, string>, string | undefined]> = [
  ['a Bearer token (OpenAI SDKs)', { authorization: 'Bearer gw-1' }, 'gw-1'],
  ['x-api-key (Anthropic SDKs)', { 'x-api-key': 'gw-2' }, 'gw-2'],
  ['both: the Bearer token wins', { authorization: 'Bearer gw-1', 'x-api-key': 'gw-2' }, 'gw-1'],
  ['another scheme: x-api-key still counts', { authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'gw-2' }, 'gw-2'],
  ['another scheme alone: none', { authorization: 'Basic dXNlcjpwYXNz' }, undefined],
  ['no credential: none', {}, undefined],
]

describe('presentedKey', () => {
  for (const [name, headers, key] of cases) test(name, () => expect(presentedKey(new Headers(headers))).toBe(key))
})
