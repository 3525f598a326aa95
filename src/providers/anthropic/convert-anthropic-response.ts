import { convertAnthropicUsage } from '../../telemetry/usage/convert-anthropic-usage'
import type { Converted } from '../converted'
import type { OpenAIChatCompletion, OpenAIToolCall } from '../openai-chat-api'
import { toOpenAIUsage } from '../to-openai-usage'
import type { AnthropicResponse } from './anthropic-api'
import { anthropicFinishReason } from './anthropic-finish-reason'

/**
 * A whole Anthropic message as an OpenAI `chat.completion`: text blocks joined into the
 * content, `tool_use` blocks as tool calls. Blocks OpenAI's shape has no place for
 * (thinking, server tool results) are dropped with a warning.
 * @see https://docs.anthropic.com/en/api/messages#response-content
 */
export function convertAnthropicResponse(message: AnthropicResponse, created: number): Converted<OpenAIChatCompletion> {
  const warnings: string[] = []
  let text: string | null = null
  const toolCalls: OpenAIToolCall[] = []
  for (const block of message.content) {
    if (block.type === 'text' && 'text' in block) text = (text ?? '') + block.text
    else if (block.type === 'tool_use' && 'input' in block) {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } })
    } else warnings.push(`a ${block.type} content block was dropped`)
  }
  const finish = anthropicFinishReason(message.stop_reason)
  warnings.push(...finish.warnings)
  return {
    value: {
      id: message.id,
      object: 'chat.completion',
      created,
      model: message.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
          logprobs: null,
          finish_reason: finish.value,
        },
      ],
      usage: toOpenAIUsage(convertAnthropicUsage(message.usage)),
    },
    warnings,
  }
}

/** Whether a parsed body has the shape this conversion reads; anything else is a broken answer. */
export function isAnthropicResponse(value: unknown): value is AnthropicResponse {
  const v = value as Partial<AnthropicResponse> | null
  return v?.type === 'message' && typeof v.id === 'string' && typeof v.model === 'string' && Array.isArray(v.content)
}
