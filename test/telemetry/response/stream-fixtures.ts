/**
 * Streams as providers put them on the wire, with what a non-streamed answer would have
 * carried. Framing follows the providers' documentation:
 * OpenAI Chat Completions https://platform.openai.com/docs/api-reference/chat-streaming
 * (`data: {...}` per chunk, a usage chunk with empty `choices` when `include_usage` is set,
 * `data: [DONE]`), Groq's `x_groq.usage` on the last chunk, the Responses API
 * https://platform.openai.com/docs/api-reference/responses-streaming (`event:` + `data:`),
 * Anthropic Messages https://docs.anthropic.com/en/docs/build-with-claude/streaming.
 */
import { expect } from 'bun:test'
import type { ResponseSummary } from '../../../src/telemetry/response/response-summary'

export interface StreamFixture {
  name: string
  format: 'openai' | 'anthropic'
  wire: string
  summary: ResponseSummary
}

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`
const event = (name: string, value: unknown) => `event: ${name}\ndata: ${JSON.stringify(value)}\n\n`

// ---- OpenAI Chat Completions ----

const chunkOf = (id: string, model: string) => (choices: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  object: 'chat.completion.chunk',
  created: 1733000000,
  model,
  system_fingerprint: 'fp_0ba0d124f1',
  choices,
  ...extra,
})

const textChunk = chunkOf('chatcmpl-AY1', 'gpt-4o-mini-2024-07-18')
const textUsage = {
  prompt_tokens: 9,
  completion_tokens: 3,
  total_tokens: 12,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
}

export const openaiText: StreamFixture = {
  name: 'OpenAI text with include_usage and keep-alive comments',
  format: 'openai',
  wire:
    data(textChunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], { usage: null })) +
    ': keep-alive\n\n' +
    data(textChunk([{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }], { usage: null })) +
    data(textChunk([{ index: 0, delta: { content: ' wörld ✓' }, logprobs: null, finish_reason: null }], { usage: null })) +
    ': keep-alive\n\n' +
    data(textChunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], { usage: null })) +
    data(textChunk([], { usage: textUsage })) +
    'data: [DONE]\n\n',
  summary: {
    model: 'gpt-4o-mini-2024-07-18',
    tokens: { input: 9, output: 3, total: 12, cached_input: 0, cache_write_input: null, reasoning: 0 },
    finishReason: 'stop',
    finishReasonRaw: 'stop',
    payload: {
      id: 'chatcmpl-AY1',
      object: 'chat.completion',
      created: 1733000000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello wörld ✓' }, finish_reason: 'stop' }],
      usage: textUsage,
    },
    error: null,
  },
}

const toolChunk = chunkOf('chatcmpl-T7', 'gpt-4o-2024-08-06')
const toolDelta = (calls: unknown[]) => toolChunk([{ index: 0, delta: { tool_calls: calls }, logprobs: null, finish_reason: null }], { usage: null })
const toolUsage = { prompt_tokens: 80, completion_tokens: 40, total_tokens: 120, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 0 } }

export const openaiToolCalls: StreamFixture = {
  name: 'OpenAI parallel tool calls, arguments split over several chunks',
  format: 'openai',
  wire:
    data(
      toolChunk(
        [
          {
            index: 0,
            delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', type: 'function', function: { name: 'get_weather', arguments: '' } }], refusal: null },
            logprobs: null,
            finish_reason: null,
          },
        ],
        { usage: null },
      ),
    ) +
    data(toolDelta([{ index: 0, function: { arguments: '{"lo' } }])) +
    data(toolDelta([{ index: 0, function: { arguments: 'cation": "Pa' } }])) +
    data(toolDelta([{ index: 0, function: { arguments: 'ris"}' } }])) +
    data(toolDelta([{ index: 1, id: 'call_Xk2', type: 'function', function: { name: 'get_time', arguments: '' } }])) +
    data(toolDelta([{ index: 1, function: { arguments: '{"tz":"CET"}' } }])) +
    data(toolChunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }], { usage: null })) +
    data(toolChunk([], { usage: toolUsage })) +
    'data: [DONE]\n\n',
  summary: {
    model: 'gpt-4o-2024-08-06',
    tokens: { input: 80, output: 40, total: 120, cached_input: 64, cache_write_input: null, reasoning: 0 },
    finishReason: 'tool_calls',
    finishReasonRaw: 'tool_calls',
    payload: {
      id: 'chatcmpl-T7',
      object: 'chat.completion',
      created: 1733000000,
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Paris"}' } },
              { id: 'call_Xk2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: toolUsage,
    },
    error: null,
  },
}

const groqChunk = chunkOf('chatcmpl-g1', 'llama-3.3-70b-versatile')
const groqUsage = { queue_time: 0.021, prompt_tokens: 40, prompt_time: 0.002, completion_tokens: 2, completion_time: 0.004, total_tokens: 42, total_time: 0.006 }

export const groqText: StreamFixture = {
  name: 'Groq with x_groq.usage on the last chunk',
  format: 'openai',
  wire:
    data(groqChunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], { x_groq: { id: 'req_01jb' } })) +
    data(groqChunk([{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }])) +
    data(groqChunk([{ index: 0, delta: { content: '!' }, logprobs: null, finish_reason: null }])) +
    data(groqChunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], { x_groq: { id: 'req_01jb', usage: groqUsage } })) +
    'data: [DONE]\n\n',
  summary: {
    model: 'llama-3.3-70b-versatile',
    tokens: { input: 40, output: 2, total: 42, cached_input: null, cache_write_input: null, reasoning: null },
    finishReason: 'stop',
    finishReasonRaw: 'stop',
    payload: {
      id: 'chatcmpl-g1',
      object: 'chat.completion',
      created: 1733000000,
      model: 'llama-3.3-70b-versatile',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
      usage: groqUsage,
    },
    error: null,
  },
}

const nChunk = chunkOf('chatcmpl-n2', 'gpt-4o-2024-08-06')

export const openaiTwoChoices: StreamFixture = {
  name: 'OpenAI n=2: choices interleaved, each with its own finish reason, no usage requested',
  format: 'openai',
  wire:
    data(nChunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])) +
    data(nChunk([{ index: 1, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])) +
    data(nChunk([{ index: 1, delta: { content: 'B1' }, logprobs: null, finish_reason: null }])) +
    data(nChunk([{ index: 0, delta: { content: 'A1' }, logprobs: null, finish_reason: null }])) +
    data(nChunk([{ index: 0, delta: { content: ' A2' }, logprobs: null, finish_reason: null }])) +
    data(nChunk([{ index: 1, delta: {}, logprobs: null, finish_reason: 'length' }])) +
    data(nChunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }])) +
    'data: [DONE]\n\n',
  summary: {
    model: 'gpt-4o-2024-08-06',
    tokens: null,
    finishReason: 'stop',
    finishReasonRaw: 'stop',
    payload: {
      id: 'chatcmpl-n2',
      object: 'chat.completion',
      created: 1733000000,
      model: 'gpt-4o-2024-08-06',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'A1 A2' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: 'B1' }, finish_reason: 'length' },
      ],
      usage: null,
    },
    error: null,
  },
}

const serverError = { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null }

export const openaiErrorMidStream: StreamFixture = {
  name: 'OpenAI error object in the middle of a 200 stream',
  format: 'openai',
  wire:
    data(textChunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], { usage: null })) +
    data(textChunk([{ index: 0, delta: { content: 'Par' }, logprobs: null, finish_reason: null }], { usage: null })) +
    data({ error: serverError }),
  summary: {
    model: 'gpt-4o-mini-2024-07-18',
    tokens: null,
    finishReason: null,
    finishReasonRaw: null,
    payload: {
      id: 'chatcmpl-AY1',
      object: 'chat.completion',
      created: 1733000000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Par' }, finish_reason: null }],
      usage: null,
    },
    error: { type: 'server_error', message: serverError.message },
  },
}

// ---- OpenAI Responses API ----

const response = (status: string, extra: Record<string, unknown>) => ({
  id: 'resp_67ccd2bed1ec8190',
  object: 'response',
  created_at: 1741290958,
  status,
  error: null,
  incomplete_details: null,
  model: 'gpt-4.1-2025-04-14',
  output: [],
  usage: null,
  ...extra,
})
const message = { id: 'msg_67ccd2bf17f0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there!', annotations: [] }] }
const responsesUsage = { input_tokens: 37, input_tokens_details: { cached_tokens: 0 }, output_tokens: 11, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 48 }
const completedResponse = response('completed', { output: [message], usage: responsesUsage })
const responsesStart =
  event('response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress', {}) }) +
  event('response.in_progress', { type: 'response.in_progress', sequence_number: 1, response: response('in_progress', {}) }) +
  event('response.output_item.added', { type: 'response.output_item.added', sequence_number: 2, output_index: 0, item: { ...message, status: 'in_progress', content: [] } })

export const responsesText: StreamFixture = {
  name: 'OpenAI Responses API text',
  format: 'openai',
  wire:
    responsesStart +
    event('response.content_part.added', { type: 'response.content_part.added', sequence_number: 3, item_id: message.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }) +
    event('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 4, item_id: message.id, output_index: 0, content_index: 0, delta: 'Hi' }) +
    event('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 5, item_id: message.id, output_index: 0, content_index: 0, delta: ' there!' }) +
    event('response.output_text.done', { type: 'response.output_text.done', sequence_number: 6, item_id: message.id, output_index: 0, content_index: 0, text: 'Hi there!' }) +
    event('response.output_item.done', { type: 'response.output_item.done', sequence_number: 7, output_index: 0, item: message }) +
    event('response.completed', { type: 'response.completed', sequence_number: 8, response: completedResponse }),
  summary: {
    model: 'gpt-4.1-2025-04-14',
    tokens: { input: 37, output: 11, total: 48, cached_input: 0, cache_write_input: null, reasoning: 0 },
    finishReason: 'stop',
    finishReasonRaw: 'completed',
    payload: completedResponse,
    error: null,
  },
}

const functionCall = { id: 'fc_12345xyz', call_id: 'call_12345xyz', type: 'function_call', status: 'completed', name: 'get_weather', arguments: '{"location":"Paris"}' }
const functionCallResponse = response('completed', { output: [functionCall], usage: responsesUsage })

export const responsesFunctionCall: StreamFixture = {
  name: 'OpenAI Responses API function call only',
  format: 'openai',
  wire:
    event('response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress', {}) }) +
    event('response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...functionCall, status: 'in_progress', arguments: '' } }) +
    event('response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', sequence_number: 2, item_id: functionCall.id, output_index: 0, delta: '{"location":' }) +
    event('response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', sequence_number: 3, item_id: functionCall.id, output_index: 0, delta: '"Paris"}' }) +
    event('response.function_call_arguments.done', { type: 'response.function_call_arguments.done', sequence_number: 4, item_id: functionCall.id, output_index: 0, arguments: functionCall.arguments }) +
    event('response.output_item.done', { type: 'response.output_item.done', sequence_number: 5, output_index: 0, item: functionCall }) +
    event('response.completed', { type: 'response.completed', sequence_number: 6, response: functionCallResponse }),
  summary: {
    model: 'gpt-4.1-2025-04-14',
    tokens: { input: 37, output: 11, total: 48, cached_input: 0, cache_write_input: null, reasoning: 0 },
    finishReason: 'tool_calls',
    finishReasonRaw: 'completed',
    payload: functionCallResponse,
    error: null,
  },
}

export const responsesErrorEvent: StreamFixture = {
  name: 'OpenAI Responses API error event',
  format: 'openai',
  wire:
    responsesStart +
    event('error', { type: 'error', code: 'server_error', message: 'The model failed to generate a response.', param: null, sequence_number: 3 }),
  summary: {
    model: 'gpt-4.1-2025-04-14',
    tokens: null,
    finishReason: null,
    finishReasonRaw: null,
    // No final response object arrived; what stands in for it is not specified yet.
    payload: expect.anything(),
    error: { type: 'server_error', message: 'The model failed to generate a response.' },
  },
}

// ---- Anthropic Messages ----

const anthropicStartUsage = { input_tokens: 472, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 2 }
const anthropicMessage = {
  id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
  type: 'message',
  role: 'assistant',
  content: [],
  model: 'claude-sonnet-4-5-20250929',
  stop_reason: null,
  stop_sequence: null,
  usage: anthropicStartUsage,
}

const anthropicToolWire =
  event('message_start', { type: 'message_start', message: anthropicMessage }) +
  event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
  'event: ping\ndata: {"type": "ping"}\n\n' +
  event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay, let' } }) +
  event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: "'s check the wéather." } }) +
  event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} } }) +
  event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }) +
  event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }) +
  event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "San Francisco, CA"}' } }) +
  event('content_block_stop', { type: 'content_block_stop', index: 1 }) +
  event('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }) +
  event('message_stop', { type: 'message_stop' })

const anthropicToolSummary: ResponseSummary = {
  model: 'claude-sonnet-4-5-20250929',
  tokens: { input: 2572, output: 89, total: 2661, cached_input: 2000, cache_write_input: 100, reasoning: null },
  finishReason: 'tool_calls',
  finishReasonRaw: 'tool_use',
  payload: {
    ...anthropicMessage,
    content: [
      { type: 'text', text: "Okay, let's check the wéather." },
      { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { ...anthropicStartUsage, output_tokens: 89 },
  },
  error: null,
}

export const anthropicTextAndTool: StreamFixture = {
  name: 'Anthropic text then tool_use, with ping',
  format: 'anthropic',
  wire: anthropicToolWire,
  summary: anthropicToolSummary,
}

export const anthropicCrlf: StreamFixture = {
  name: 'Anthropic with CRLF line endings',
  format: 'anthropic',
  wire: anthropicToolWire.replaceAll('\n', '\r\n'),
  summary: anthropicToolSummary,
}

const thinkingMessage = { ...anthropicMessage, id: 'msg_01Th', usage: { input_tokens: 25, output_tokens: 1 } }

export const anthropicThinking: StreamFixture = {
  name: 'Anthropic extended thinking with its signature',
  format: 'anthropic',
  wire:
    event('message_start', { type: 'message_start', message: thinkingMessage }) +
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two plus two ' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'is four.' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' } }) +
    event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '4' } }) +
    event('content_block_stop', { type: 'content_block_stop', index: 1 }) +
    event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30 } }) +
    event('message_stop', { type: 'message_stop' }),
  summary: {
    model: 'claude-sonnet-4-5-20250929',
    tokens: { input: 25, output: 30, total: 55, cached_input: null, cache_write_input: null, reasoning: null },
    finishReason: 'stop',
    finishReasonRaw: 'end_turn',
    payload: {
      ...thinkingMessage,
      content: [
        { type: 'thinking', thinking: 'Two plus two is four.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
        { type: 'text', text: '4' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 25, output_tokens: 30 },
    },
    error: null,
  },
}

export const anthropicErrorEvent: StreamFixture = {
  name: 'Anthropic overloaded error event after some text',
  format: 'anthropic',
  wire:
    event('message_start', { type: 'message_start', message: thinkingMessage }) +
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }) +
    'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n',
  summary: {
    model: 'claude-sonnet-4-5-20250929',
    tokens: { input: 25, output: 1, total: 26, cached_input: null, cache_write_input: null, reasoning: null },
    finishReason: null,
    finishReasonRaw: null,
    payload: { ...thinkingMessage, content: [{ type: 'text', text: 'Hel' }], stop_reason: null, stop_sequence: null, usage: thinkingMessage.usage },
    error: { type: 'overloaded_error', message: 'Overloaded' },
  },
}

export const STREAM_FIXTURES: StreamFixture[] = [
  openaiText,
  openaiToolCalls,
  groqText,
  openaiTwoChoices,
  openaiErrorMidStream,
  responsesText,
  responsesFunctionCall,
  responsesErrorEvent,
  anthropicTextAndTool,
  anthropicCrlf,
  anthropicThinking,
  anthropicErrorEvent,
]

/** The wire bytes up to `marker` and half of what follows it: a stream cut in the middle of an event. */
export function cutInsideEvent(wire: string, marker: string): Uint8Array {
  const at = wire.lastIndexOf(marker)
  if (at === -1) throw new Error(`marker ${marker} not in the fixture`)
  const eventEnd = wire.indexOf('\n\n', at)
  return new TextEncoder().encode(wire.slice(0, at + Math.floor((eventEnd - at) / 2)))
}
