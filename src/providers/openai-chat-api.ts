/**
 * OpenAI Chat Completions wire types that the translating providers write. (What clients send
 * is read as `unknown` and checked field by field.)
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

export interface OpenAIToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

export interface OpenAIUsage {
  /** Null when the provider did not report the count: unknown is not zero. */
  prompt_tokens: number | null
  completion_tokens: number | null
  total_tokens: number | null
  prompt_tokens_details: {
    cached_tokens: number | null
    /**
     * Not in OpenAI's own answers: tokens written to the provider's prompt cache, which
     * cost more than plain input. Named as OpenRouter names it for the same fact.
     * @see https://openrouter.ai/docs/use-cases/usage-accounting
     */
    cache_write_tokens?: number | null
  }
  completion_tokens_details?: { reasoning_tokens: number | null }
}

export interface OpenAIChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{
    index: number
    message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: OpenAIToolCall[] }
    logprobs: null
    finish_reason: OpenAIFinishReason | null
  }>
  /** Absent when the provider reported none. */
  usage?: OpenAIUsage
}

/** `{"error":{...}}`: the body of every OpenAI error answer, and of an error frame in a stream. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null }
}
