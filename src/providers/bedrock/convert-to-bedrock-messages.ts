import { parseToolArguments } from '../parse-tool-arguments'
import { toolUseId } from '../tool-use-id'
import type { ContentBlock, Message, SystemBlock } from './bedrock-api'
import { isRecord, refuse, type Converted } from './conversion'
import { convertImageUrl } from './convert-image-url'

export interface BedrockPrompt {
  system: SystemBlock[]
  messages: Message[]
  /** Whether any turn holds a tool call or result: Bedrock then needs a toolConfig. */
  hasToolBlocks: boolean
}

/**
 * OpenAI chat messages as a Converse prompt.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
 *
 * - system and developer messages become `system` blocks, wherever they stand;
 * - tool results become `toolResult` blocks in a user turn, tool calls `toolUse` blocks;
 * - consecutive turns of one role merge into one, so user and assistant alternate as Converse
 *   requires (tool results followed by a user message form one user turn).
 */
export function convertToBedrockMessages(input: unknown): Converted<BedrockPrompt> {
  if (!Array.isArray(input) || input.length === 0) refuse('`messages` must be a non-empty array', 'invalid_request')
  const system: SystemBlock[] = []
  const messages: Message[] = []
  const warnings: string[] = []
  let hasToolBlocks = false

  const append = (role: Message['role'], content: ContentBlock[]) => {
    if (content.length === 0) return void warnings.push('an empty message was left out')
    const last = messages.at(-1)
    // A loop, not push(...content): a spread of a million parts overflows the stack.
    if (last?.role === role) for (const block of content) last.content.push(block)
    else messages.push({ role, content })
  }

  input.forEach((message: unknown, i) => {
    const where = `messages[${i}]`
    if (!isRecord(message)) refuse(`${where} must be an object`, 'invalid_request')
    if (typeof message.name === 'string') warnings.push(`${where}.name was ignored: Bedrock messages carry no participant names`)
    switch (message.role) {
      case 'system':
      case 'developer':
        if (messages.length > 0 && !warnings.includes(SYSTEM_MOVED)) warnings.push(SYSTEM_MOVED)
        for (const text of textParts(message.content, where)) system.push({ text })
        return
      case 'user':
        return append('user', userContent(message.content, where))
      case 'assistant': {
        const content = assistantContent(message, where)
        hasToolBlocks ||= content.some((block) => 'toolUse' in block)
        return append('assistant', content)
      }
      case 'tool':
        hasToolBlocks = true
        return append('user', [toolResult(message, where)])
      case 'function':
        return refuse(`${where}: the deprecated "function" role is not supported for Bedrock; use tools and "tool" messages`)
      default:
        return refuse(`${where}.role must be one of system, developer, user, assistant, tool`, 'invalid_request')
    }
  })
  if (messages.length === 0) refuse('Bedrock needs at least one user or assistant message besides the system prompt', 'invalid_request')
  return { value: { system, messages, hasToolBlocks }, warnings }
}

const SYSTEM_MOVED = 'system messages after the conversation start were moved to the system prompt'

/** Text of a string or an array of text parts; empty strings are left out (Bedrock rejects blank text). */
function textParts(content: unknown, where: string, allowed: ReadonlySet<string> = TEXT_ONLY): string[] {
  if (content === null || content === undefined) return []
  if (typeof content === 'string') return content === '' ? [] : [content]
  if (!Array.isArray(content)) refuse(`${where}.content must be a string or an array of parts`, 'invalid_request')
  const texts: string[] = []
  content.forEach((part: unknown, j) => {
    if (!isRecord(part) || typeof part.type !== 'string' || !allowed.has(part.type)) {
      refuse(`${where}.content[${j}] must be a text part here`, 'invalid_request')
    }
    const text = part.type === 'refusal' ? part.refusal : part.text
    if (typeof text !== 'string') refuse(`${where}.content[${j}].${part.type} must be a string`, 'invalid_request')
    if (text !== '') texts.push(text)
  })
  return texts
}

const TEXT_ONLY: ReadonlySet<string> = new Set(['text'])
const ASSISTANT_PARTS: ReadonlySet<string> = new Set(['text', 'refusal'])

function userContent(content: unknown, where: string): ContentBlock[] {
  if (!Array.isArray(content)) return textParts(content, where).map((text) => ({ text }))
  return content.flatMap((part: unknown, j): ContentBlock[] => {
    const at = `${where}.content[${j}]`
    if (!isRecord(part)) return refuse(`${at} must be an object`, 'invalid_request')
    switch (part.type) {
      case 'text':
        if (typeof part.text !== 'string') refuse(`${at}.text must be a string`, 'invalid_request')
        return part.text === '' ? [] : [{ text: part.text }]
      case 'image_url':
        return [convertImageUrl(isRecord(part.image_url) ? part.image_url.url : undefined, at)]
      case 'input_audio':
      case 'file':
        return refuse(`${at}: "${part.type}" parts are not supported for Bedrock`)
      default:
        return refuse(`${at}.type must be text or image_url`, 'invalid_request')
    }
  })
}

function assistantContent(message: Record<string, unknown>, where: string): ContentBlock[] {
  const content: ContentBlock[] = textParts(message.content, where, ASSISTANT_PARTS).map((text) => ({ text }))
  const calls = message.tool_calls
  if (calls === undefined || calls === null) return content
  if (!Array.isArray(calls)) refuse(`${where}.tool_calls must be an array`, 'invalid_request')
  calls.forEach((call: unknown, j) => {
    const at = `${where}.tool_calls[${j}]`
    if (!isRecord(call) || typeof call.id !== 'string' || !isRecord(call.function) || typeof call.function.name !== 'string') {
      refuse(`${at} must have an id and a function with a name`, 'invalid_request')
    }
    content.push({ toolUse: { toolUseId: toolUseId(call.id), name: call.function.name, input: parseToolArguments(call.function.arguments, at) } })
  })
  return content
}

function toolResult(message: Record<string, unknown>, where: string): ContentBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') refuse(`${where}.tool_call_id must be a string`, 'invalid_request')
  return { toolResult: { toolUseId: toolUseId(message.tool_call_id), content: textParts(message.content, where).map((text) => ({ text })) } }
}
