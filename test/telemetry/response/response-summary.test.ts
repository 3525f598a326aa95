import { describe, expect, test } from 'bun:test'
import { errorOf, mapResponsesFinishReason } from '../../../src/telemetry/response/response-summary'

describe('mapResponsesFinishReason', () => {
  const message = { type: 'message', role: 'assistant', content: [] }
  const call = { type: 'function_call', name: 'f', arguments: '{}' }
  const cases: Array<[string, unknown, string | null]> = [
    ['completed with a message', { status: 'completed', output: [message] }, 'stop'],
    ['completed with a function call', { status: 'completed', output: [message, call] }, 'tool_calls'],
    ['cut by max_output_tokens', { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [message] }, 'length'],
    ['stopped by the content filter', { status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }, 'content_filter'],
    ['incomplete for a reason added later', { status: 'incomplete', incomplete_details: { reason: 'something_new' } }, 'other'],
    ['failed', { status: 'failed', error: { code: 'server_error', message: 'x' } }, null],
    ['cancelled', { status: 'cancelled' }, null],
    ['still in progress', { status: 'in_progress' }, null],
    ['not a response', null, null],
  ]
  for (const [name, response, expected] of cases) {
    test(`${name} → ${expected}`, () => {
      expect(mapResponsesFinishReason(response)).toBe(expected)
    })
  }
})

describe('errorOf', () => {
  const cases: Array<[string, unknown, ReturnType<typeof errorOf>]> = [
    ['OpenAI error body', { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, { type: 'invalid_request_error', message: 'Incorrect API key provided' }],
    ['Anthropic error body', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { type: 'overloaded_error', message: 'Overloaded' }],
    ['Responses API failed response: code only', { error: { code: 'server_error', message: 'boom' } }, { type: 'server_error', message: 'boom' }],
    ['a bare string', { error: 'upstream timed out' }, { type: 'error', message: 'upstream timed out' }],
    ['an error object without fields', { error: {} }, { type: 'error', message: '' }],
    ['error: null', { error: null }, null],
    ['no error', { id: 'x' }, null],
    ['not an object', undefined, null],
  ]
  for (const [name, body, expected] of cases) {
    test(name, () => {
      expect(errorOf(body)).toEqual(expected)
    })
  }
})
