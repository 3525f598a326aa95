import { describe, expect, test } from 'bun:test'
import type { AnthropicRequest } from '../../../src/providers/anthropic/anthropic-api'
import { convertToAnthropicRequest, DEFAULT_MAX_TOKENS } from '../../../src/providers/anthropic/convert-to-anthropic-request'
import { refusal } from '../../support/refusal'

const messages = [{ role: 'user', content: 'Hi' }]
const anthropicMessages = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]

const cases: Array<{ name: string; body: Record<string, unknown>; expected: AnthropicRequest; warnings?: string[] }> = [
  {
    name: 'the minimum: max_tokens defaults',
    body: { model: 'claude-sonnet-4-5', messages },
    expected: { model: 'claude-sonnet-4-5', max_tokens: DEFAULT_MAX_TOKENS, messages: anthropicMessages } as AnthropicRequest,
  },
  {
    name: 'every translated parameter',
    body: { model: 'm', messages: [{ role: 'system', content: 'S' }, ...messages], max_tokens: 100, temperature: 0.2, top_p: 0.9, stop: ['END', 'STOP'], stream: true, user: 'user-42' },
    expected: {
      model: 'm',
      max_tokens: 100,
      system: [{ type: 'text', text: 'S' }],
      messages: anthropicMessages,
      stop_sequences: ['END', 'STOP'],
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      metadata: { user_id: 'user-42' },
    } as AnthropicRequest,
  },
  {
    name: 'max_completion_tokens wins over max_tokens; a single stop string',
    body: { model: 'm', messages, max_tokens: 10, max_completion_tokens: 20, stop: 'END' },
    expected: { model: 'm', max_tokens: 20, messages: anthropicMessages, stop_sequences: ['END'] } as AnthropicRequest,
  },
  {
    name: 'tools and tool_choice',
    body: { model: 'm', messages, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' },
    expected: { model: 'm', max_tokens: DEFAULT_MAX_TOKENS, messages: anthropicMessages, tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }], tool_choice: { type: 'any' } } as AnthropicRequest,
  },
  {
    name: 'fields Anthropic has no place for are dropped, each with a warning; nulls and stream_options silently',
    body: { model: 'm', messages, n: 1, seed: 7, frequency_penalty: 0.5, logprobs: true, response_format: { type: 'json_object' }, stream_options: { include_usage: true }, presence_penalty: null },
    expected: { model: 'm', max_tokens: DEFAULT_MAX_TOKENS, messages: anthropicMessages } as AnthropicRequest,
    warnings: ['seed dropped: Anthropic has no equivalent', 'frequency_penalty dropped: Anthropic has no equivalent', 'logprobs dropped: Anthropic has no equivalent', 'response_format dropped: Anthropic has no equivalent'],
  },
]

const refused: Array<{ name: string; body: Record<string, unknown> | undefined; code: string }> = [
  { name: 'no JSON body', body: undefined, code: 'invalid_json' },
  { name: 'no model', body: { messages }, code: 'invalid_model' },
  { name: 'an empty model', body: { model: '', messages }, code: 'invalid_model' },
  { name: 'no messages', body: { model: 'm' }, code: 'invalid_messages' },
  { name: 'several choices', body: { model: 'm', messages, n: 2 }, code: 'unsupported_request' },
  { name: 'max_tokens 0', body: { model: 'm', messages, max_tokens: 0 }, code: 'invalid_max_tokens' },
  { name: 'max_tokens fractional', body: { model: 'm', messages, max_tokens: 1.5 }, code: 'invalid_max_tokens' },
  { name: 'temperature as a string', body: { model: 'm', messages, temperature: 'hot' }, code: 'invalid_temperature' },
  { name: 'stop as a number', body: { model: 'm', messages, stop: 5 }, code: 'invalid_stop' },
  { name: 'stream as a string', body: { model: 'm', messages, stream: 'yes' }, code: 'invalid_stream' },
]

describe('convertToAnthropicRequest', () => {
  for (const { name, body, expected, warnings = [] } of cases) {
    test(name, () => {
      const converted = convertToAnthropicRequest(body)
      expect(converted.value).toEqual(expected)
      expect(converted.warnings).toEqual(warnings)
    })
  }
  for (const { name, body, code } of refused) {
    test(`refused with 400: ${name}`, () => {
      const thrown = refusal(() => convertToAnthropicRequest(body))
      expect(thrown.status).toBe(400)
      expect(thrown.code).toBe(code)
    })
  }
})
