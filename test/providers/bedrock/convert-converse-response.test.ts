import { describe, expect, test } from 'bun:test'
import type { ConverseResponse } from '../../../src/providers/bedrock/bedrock-api'
import { convertConverseResponse } from '../../../src/providers/bedrock/convert-converse-response'

const identity = { id: 'chatcmpl-req1', created: 1_700_000_000, model: 'amazon.nova-lite-v1:0' }
const usage = { inputTokens: 4, outputTokens: 2, totalTokens: 6 }
const openAIUsage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 } }

const table: Array<{ name: string; response: ConverseResponse; message: unknown; finish: string; usage?: unknown }> = [
  {
    name: 'text blocks join into one content string',
    response: { output: { message: { role: 'assistant', content: [{ text: 'Hel' }, { text: 'lo' }] } }, stopReason: 'end_turn', usage },
    message: { role: 'assistant', content: 'Hello', refusal: null },
    finish: 'stop',
    usage: openAIUsage,
  },
  {
    name: 'tool uses become tool_calls with JSON arguments; reasoning is left out',
    response: {
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'thinking' } } },
            { toolUse: { toolUseId: 't1', name: 'weather', input: { city: 'Rome' } } },
            { toolUse: { toolUseId: 't2', name: 'clock', input: {} } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage,
    },
    message: {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 't1', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        { id: 't2', type: 'function', function: { name: 'clock', arguments: '{}' } },
      ],
    },
    finish: 'tool_calls',
    usage: openAIUsage,
  },
  {
    name: 'a guardrail stop without usage',
    response: { output: { message: { role: 'assistant', content: [{ text: 'Sorry.' }] } }, stopReason: 'guardrail_intervened' },
    message: { role: 'assistant', content: 'Sorry.', refusal: null },
    finish: 'content_filter',
  },
]

describe('convertConverseResponse', () => {
  for (const row of table) {
    test(row.name, () => {
      const expected: Record<string, unknown> = {
        id: 'chatcmpl-req1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'amazon.nova-lite-v1:0',
        choices: [{ index: 0, message: row.message, logprobs: null, finish_reason: row.finish }],
      }
      if (row.usage) expected.usage = row.usage
      expect(convertConverseResponse(row.response, identity)).toEqual(expected as never)
    })
  }
})
