import { describe, expect, test } from 'bun:test'
import { convertAnthropicError } from '../../../src/providers/anthropic/convert-anthropic-error'

const cases: Array<{ name: string; body: unknown; status?: number; raw?: string; expected: object }> = [
  {
    name: 'an Anthropic error keeps its type as type and code',
    body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
    status: 429,
    expected: { error: { message: 'Number of request tokens has exceeded your per-minute rate limit', type: 'rate_limit_error', param: null, code: 'rate_limit_error' } },
  },
  {
    name: 'an overload',
    body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_011' },
    status: 529,
    expected: { error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: 'overloaded_error' } },
  },
  {
    name: 'a body that is not Anthropic JSON is quoted',
    body: undefined,
    status: 502,
    raw: '<html>Bad Gateway</html>',
    expected: { error: { message: 'Anthropic answered 502: <html>Bad Gateway</html>', type: 'upstream_error', param: null, code: 'upstream_error' } },
  },
  {
    name: 'an empty body',
    body: undefined,
    status: 500,
    raw: '',
    expected: { error: { message: 'Anthropic answered 500', type: 'upstream_error', param: null, code: 'upstream_error' } },
  },
  {
    name: 'a long body is shortened',
    body: undefined,
    status: 503,
    raw: 'x'.repeat(500),
    expected: { error: { message: `Anthropic answered 503: ${'x'.repeat(200)}…`, type: 'upstream_error', param: null, code: 'upstream_error' } },
  },
  {
    name: 'an unreadable stream error event',
    body: { type: 'error' },
    raw: '{"type":"error"}',
    expected: { error: { message: 'Anthropic sent an unreadable error: {"type":"error"}', type: 'upstream_error', param: null, code: 'upstream_error' } },
  },
]

describe('convertAnthropicError', () => {
  for (const { name, body, status, raw, expected } of cases) {
    test(name, () => expect(convertAnthropicError(body, status, raw)).toEqual(expected as never))
  }
})
