/**
 * Wire bytes of the benchmark's mock provider, built once per shape and reused for every
 * request so the mock spends its CPU on HTTP, not on JSON.
 *
 * OpenAI: https://platform.openai.com/docs/api-reference/chat-streaming (`data: {...}\n\n`, then `data: [DONE]`).
 * Anthropic: https://docs.anthropic.com/en/docs/build-with-claude/streaming (`event:` line + `data:` line per event).
 */
export type MockFormat = 'openai' | 'anthropic'

/** Events each stream carries besides its text deltas (role/usage/[DONE]; message and block start/stop). */
const FRAMING_EVENTS: Record<MockFormat, number> = { openai: 4, anthropic: 5 }

const encoder = new TextEncoder()
const CREATED = 1_732_700_000
const OPENAI_MODEL = 'gpt-4o-mini-2024-07-18'
const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929'

export function jsonAnswer(format: MockFormat, words: number): Uint8Array {
  const text = Array.from({ length: words }, (_, i) => `word${i}`).join(' ')
  const body =
    format === 'openai'
      ? {
          id: 'chatcmpl-bench',
          object: 'chat.completion',
          created: CREATED,
          model: OPENAI_MODEL,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 9, completion_tokens: words, total_tokens: 9 + words },
        }
      : {
          id: 'msg_bench',
          type: 'message',
          role: 'assistant',
          model: ANTHROPIC_MODEL,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 9, output_tokens: words },
        }
  return encoder.encode(JSON.stringify(body))
}

/** `chunks` SSE events (at least the framing plus one delta), each one network write, usage included. */
export function streamEvents(format: MockFormat, chunks: number): Uint8Array[] {
  const texts = Math.max(1, chunks - FRAMING_EVENTS[format])
  return (format === 'openai' ? openAIEvents(texts) : anthropicEvents(texts)).map((event) => encoder.encode(event))
}

function openAIEvents(texts: number): string[] {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: OPENAI_MODEL }
  const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`
  const choice = (delta: unknown, finish: string | null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }]
  return [
    frame({ ...base, choices: choice({ role: 'assistant', content: '' }, null) }),
    ...Array.from({ length: texts }, (_, i) => frame({ ...base, choices: choice({ content: `word${i} ` }, null) })),
    frame({ ...base, choices: choice({}, 'stop') }),
    frame({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: texts, total_tokens: 9 + texts } }),
    'data: [DONE]\n\n',
  ]
}

function anthropicEvents(texts: number): string[] {
  const frame = (data: { type: string; [field: string]: unknown }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`
  const message = { id: 'msg_bench', type: 'message', role: 'assistant', content: [], model: ANTHROPIC_MODEL, stop_reason: null, stop_sequence: null }
  return [
    frame({ type: 'message_start', message: { ...message, usage: { input_tokens: 9, output_tokens: 1 } } }),
    frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...Array.from({ length: texts }, (_, i) => frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${i} ` } })),
    frame({ type: 'content_block_stop', index: 0 }),
    frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: texts } }),
    frame({ type: 'message_stop' }),
  ]
}

/** Error bodies in each provider's documented shape, for requests the mock cannot serve. */
export function errorBody(format: MockFormat, message: string): string {
  return format === 'openai'
    ? JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } })
    : JSON.stringify({ type: 'error', error: { type: 'not_found_error', message } })
}
