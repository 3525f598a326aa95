import type { OpenAIChatCompletion, OpenAIToolCall } from '../openai-chat-api'
import type { ConverseResponse } from './bedrock-api'
import { convertBedrockUsage } from './convert-bedrock-usage'
import { mapBedrockStopReason } from './map-bedrock-stop-reason'

export interface CompletionIdentity {
  id: string
  created: number
  model: string
}

/** A Converse answer as an OpenAI `chat.completion`; text blocks join into one content string. */
export function convertConverseResponse(response: ConverseResponse, identity: CompletionIdentity): OpenAIChatCompletion {
  let content: string | null = null
  const toolCalls: OpenAIToolCall[] = []
  for (const block of response.output?.message?.content ?? []) {
    if (typeof block.text === 'string') content = (content ?? '') + block.text
    else if (block.toolUse !== undefined) {
      toolCalls.push({
        id: block.toolUse.toolUseId ?? '',
        type: 'function',
        function: { name: block.toolUse.name ?? '', arguments: JSON.stringify(block.toolUse.input ?? {}) },
      })
    }
    // reasoningContent and other block kinds have no place in a chat.completion message.
  }
  const message: OpenAIChatCompletion['choices'][0]['message'] = { role: 'assistant', content, refusal: null }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const completion: OpenAIChatCompletion = {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: mapBedrockStopReason(response.stopReason) }],
  }
  if (response.usage !== undefined) completion.usage = convertBedrockUsage(response.usage)
  return completion
}
