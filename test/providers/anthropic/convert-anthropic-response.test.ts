import { describe, expect, test } from 'bun:test'
import type { AnthropicResponse } from '../../../src/providers/anthropic/anthropic-api'
import { convertAnthropicResponse, isAnthropicResponse } from '../../../src/providers/anthropic/convert-anthropic-response'

const CREATED = 1_732_700_000
const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 }
const openAIUsage = { prompt_tokens: 14, completion_tokens: 5, total_tokens: 19, prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 } }
const message = (content: AnthropicResponse['content'], stop_reason: string | null): AnthropicResponse => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content,
  stop_reason,
  stop_sequence: null,
  usage,
})
const completion = (msg: object, finish: string | null) => ({
  id: 'msg_01',
  object: 'chat.completion',
  created: CREATED,
  model: 'claude-sonnet-4-5-20250929',
  choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...msg }, logprobs: null, finish_reason: finish }],
  usage: openAIUsage,
})

const cases: Array<{ name: string; message: AnthropicResponse; expected: object; warnings?: number }> = [
  { name: 'text', message: message([{ type: 'text', text: 'Hello!' }], 'end_turn'), expected: completion({ content: 'Hello!' }, 'stop') },
  {
    name: 'several text blocks are joined',
    message: message([{ type: 'text', text: 'Hello' }, { type: 'text', text: ', world' }], 'max_tokens'),
    expected: completion({ content: 'Hello, world' }, 'length'),
  },
  {
    name: 'tool use with text',
    message: message(
      [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
      ],
      'tool_use',
    ),
    expected: completion({ content: 'Checking.', tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, 'tool_calls'),
  },
  {
    name: 'tool use alone has null content',
    message: message([{ type: 'tool_use', id: 'toolu_02', name: 'now', input: {} }], 'tool_use'),
    expected: completion({ content: null, tool_calls: [{ id: 'toolu_02', type: 'function', function: { name: 'now', arguments: '{}' } }] }, 'tool_calls'),
  },
  {
    name: 'thinking is dropped with a warning',
    message: message([{ type: 'thinking', thinking: 'hmm', signature: 'sig' } as never, { type: 'text', text: 'Done.' }], 'end_turn'),
    expected: completion({ content: 'Done.' }, 'stop'),
    warnings: 1,
  },
  { name: 'a refusal', message: message([], 'refusal'), expected: completion({ content: null }, 'content_filter') },
]

describe('convertAnthropicResponse', () => {
  for (const { name, message, expected, warnings = 0 } of cases) {
    test(name, () => {
      const converted = convertAnthropicResponse(message, CREATED)
      expect(converted.value).toEqual(expected as never)
      expect(converted.warnings).toHaveLength(warnings)
    })
  }
})

describe('isAnthropicResponse', () => {
  const rows: Array<[unknown, boolean]> = [
    [message([], 'end_turn'), true],
    [{ type: 'error', error: { type: 'api_error', message: 'x' } }, false],
    [{ type: 'message', id: 'x', model: 'm' }, false],
    [null, false],
    ['message', false],
  ]
  for (const [value, expected] of rows) test(`${JSON.stringify(value)?.slice(0, 60)} → ${expected}`, () => expect(isAnthropicResponse(value)).toBe(expected))
})
