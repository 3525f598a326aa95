import { describe, expect, test } from 'bun:test'
import { convertToBedrockInferenceConfig } from '../../../src/providers/bedrock/convert-to-bedrock-inference-config'
import { refusal } from '../../support/refusal'

const ignored = (key: string) => `${key} is not supported by Bedrock's Converse API and was ignored`

const cases: Array<{ name: string; body: Record<string, unknown>; value: unknown; warnings?: string[] }> = [
  { name: 'nothing set: no inferenceConfig', body: { model: 'm' }, value: undefined },
  { name: 'max_tokens', body: { max_tokens: 100 }, value: { maxTokens: 100 } },
  { name: 'max_completion_tokens wins over max_tokens', body: { max_tokens: 100, max_completion_tokens: 50 }, value: { maxTokens: 50 } },
  { name: 'temperature and top_p', body: { temperature: 0, top_p: 0.9 }, value: { temperature: 0, topP: 0.9 } },
  { name: 'stop as a string', body: { stop: 'END' }, value: { stopSequences: ['END'] } },
  { name: 'stop as an array', body: { stop: ['a', 'b'] }, value: { stopSequences: ['a', 'b'] } },
  { name: 'nulls mean unset', body: { max_tokens: null, temperature: null, stop: null, n: null }, value: undefined },
  { name: 'n = 1 is fine', body: { n: 1 }, value: undefined },
  {
    name: 'parameters Converse lacks are dropped with warnings; false flags are not',
    body: { seed: 1, response_format: { type: 'json_object' }, logprobs: false, parallel_tool_calls: false, frequency_penalty: 0.1 },
    value: undefined,
    warnings: [ignored('frequency_penalty'), ignored('seed'), ignored('response_format')],
  },
]

describe('convertToBedrockInferenceConfig', () => {
  for (const { name, body, value, warnings = [] } of cases) {
    test(name, () => expect(convertToBedrockInferenceConfig(body)).toEqual({ value, warnings } as never))
  }

  const refused: Array<{ name: string; body: Record<string, unknown>; message: string }> = [
    { name: 'max_tokens 0', body: { max_tokens: 0 }, message: 'positive integer' },
    { name: 'fractional max_completion_tokens', body: { max_completion_tokens: 1.5 }, message: 'positive integer' },
    { name: 'a negative temperature', body: { temperature: -1 }, message: '`temperature`' },
    { name: 'top_p above 1', body: { top_p: 1.5 }, message: '`top_p`' },
    { name: 'stop with a number', body: { stop: ['a', 1] }, message: '`stop`' },
    { name: 'n above 1', body: { n: 2 }, message: 'one choice' },
  ]
  for (const { name, body, message } of refused) {
    test(`refuses ${name}`, () => expect(refusal(() => convertToBedrockInferenceConfig(body))).toMatchObject({ status: 400, message: expect.stringContaining(message) }))
  }
})
