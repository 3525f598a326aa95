import { describe, expect, test } from 'bun:test'
import { bearerToken } from '../../src/providers/bearer-token'

// RFC 6750 §2.1: `Authorization: Bearer <token>`; the scheme name is case-insensitive (RFC 9110 §11.1).
const cases: Array<[string | null, string | undefined]> = [
  ['Bearer sk-abc', 'sk-abc'],
  ['bearer sk-abc', 'sk-abc'],
  ['BEARER   sk-abc  ', 'sk-abc'],
  ['Bearer sk-abc extra', undefined],
  ['Bearer ', undefined],
  ['Basic dXNlcjpwYXNz', undefined],
  ['sk-abc', undefined],
  ['', undefined],
  [null, undefined],
]

describe('bearerToken', () => {
  for (const [authorization, token] of cases) test(`${JSON.stringify(authorization)} → ${token}`, () => expect(bearerToken(authorization)).toBe(token))
})
