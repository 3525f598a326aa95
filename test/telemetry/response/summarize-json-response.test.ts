import { describe, expect, test } from 'bun:test'
import { EMPTY_SUMMARY, type ResponseSummary } from '../../../src/telemetry/response/response-summary'
import { summarizeJsonResponse } from '../../../src/telemetry/response/summarize-json-response'

const chatCompletion = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  service_tier: 'default',
}
const azureFilter = { error: { message: 'The response was filtered', type: null, param: 'prompt', code: 'content_filter', status: 400 } }
const geminiError = [{ error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } }]
const oddTypes = { model: { name: 'gpt' }, choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: { reason: 'stop' } }] }
const openaiError = { error: { message: 'Incorrect API key provided: sk-abc***xyz.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
const embeddings = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } }
const responsesIncomplete = {
  id: 'resp_1',
  object: 'response',
  status: 'incomplete',
  incomplete_details: { reason: 'max_output_tokens' },
  model: 'gpt-4.1-2025-04-14',
  output: [],
  usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 16, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 26 },
}
const anthropicMessage = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 50, output_tokens: 12 },
}
const anthropicError = { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' }

const cases: Array<{ name: string; format: 'openai' | 'anthropic'; body: unknown; expected: ResponseSummary }> = [
  {
    name: 'OpenAI chat completion',
    format: 'openai',
    body: chatCompletion,
    expected: { model: 'gpt-4o-2024-08-06', tokens: { input: 19, output: 10, total: 29, cached_input: 0, cache_write_input: null, reasoning: 0 }, finishReason: 'stop', finishReasonRaw: 'stop', payload: chatCompletion, error: null },
  },
  {
    name: 'OpenAI error body',
    format: 'openai',
    body: openaiError,
    expected: { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: openaiError, error: { type: 'invalid_request_error', message: 'Incorrect API key provided: sk-abc***xyz.' } },
  },
  {
    name: 'OpenAI embeddings',
    format: 'openai',
    body: embeddings,
    expected: { model: 'text-embedding-3-small', tokens: { input: 8, output: null, total: 8, cached_input: null, cache_write_input: null, reasoning: null }, finishReason: null, finishReasonRaw: null, payload: embeddings, error: null },
  },
  {
    name: 'Responses API answer cut by max_output_tokens: the same finish reason as streamed',
    format: 'openai',
    body: responsesIncomplete,
    expected: { model: 'gpt-4.1-2025-04-14', tokens: { input: 10, output: 16, total: 26, cached_input: 0, cache_write_input: null, reasoning: 0 }, finishReason: 'length', finishReasonRaw: 'incomplete', payload: responsesIncomplete, error: null },
  },
  {
    name: 'Anthropic message',
    format: 'anthropic',
    body: anthropicMessage,
    expected: { model: 'claude-sonnet-4-5-20250929', tokens: { input: 60, output: 12, total: 72, cached_input: 50, cache_write_input: 0, reasoning: null }, finishReason: 'stop', finishReasonRaw: 'end_turn', payload: anthropicMessage, error: null },
  },
  {
    name: 'Anthropic message with a stop reason added after the mapping: unified unknown, the raw reason kept',
    format: 'anthropic',
    body: { ...anthropicMessage, stop_reason: 'a_reason_added_later' },
    expected: {
      model: 'claude-sonnet-4-5-20250929',
      tokens: { input: 60, output: 12, total: 72, cached_input: 50, cache_write_input: 0, reasoning: null },
      finishReason: null,
      finishReasonRaw: 'a_reason_added_later',
      payload: { ...anthropicMessage, stop_reason: 'a_reason_added_later' },
      error: null,
    },
  },
  {
    name: 'Anthropic error body',
    format: 'anthropic',
    body: anthropicError,
    expected: { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: anthropicError, error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } },
  },
  {
    // Gemini's OpenAI-compatible API: the error in an array, a numeric code and a status word.
    name: 'Gemini error wrapped in an array: its status is the type',
    format: 'openai',
    body: geminiError,
    expected: { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: geminiError, error: { type: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' } },
  },
  {
    name: "Azure's content filter: a numeric status is no type, the code is",
    format: 'openai',
    body: azureFilter,
    expected: { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: azureFilter, error: { type: 'content_filter', message: 'The response was filtered' } },
  },
  {
    // The document maps these as keywords: an object there would get the whole document refused.
    name: 'a model or finish reason that is no string is left out',
    format: 'openai',
    body: oddTypes,
    expected: { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: oddTypes, error: null },
  },
  { name: 'not JSON (parsed as undefined)', format: 'openai', body: undefined, expected: EMPTY_SUMMARY },
  { name: 'a JSON string', format: 'openai', body: 'ok', expected: { ...EMPTY_SUMMARY, payload: 'ok' } },
]

describe('summarizeJsonResponse', () => {
  for (const { name, format, body, expected } of cases) {
    test(name, () => {
      expect(summarizeJsonResponse(body, format)).toEqual(expected)
    })
  }
})
