import { invalidRequest, type Converted } from '../converted'
import { parseToolArguments } from '../parse-tool-arguments'
import { toolUseId } from '../tool-use-id'
import type { AnthropicMessage, AnthropicRequestBlock, AnthropicTextBlock, AnthropicToolResultBlock, AnthropicToolUseBlock } from './anthropic-api'
import { convertToAnthropicContent, convertToAnthropicText } from './convert-to-anthropic-content'

export interface AnthropicPrompt {
  /** Every system and developer message, in order; undefined when there is none. */
  system: AnthropicTextBlock[] | undefined
  messages: AnthropicMessage[]
}

/**
 * OpenAI chat messages to Anthropic's system prompt and alternating user/assistant turns.
 * Anthropic has one system prompt, so system/developer messages are collected into it.
 * Consecutive turns of one role are merged, and tool results are folded into the user
 * turn, because Anthropic expects each `tool_result` in the user turn right after the
 * assistant's `tool_use`.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
export function convertToAnthropicMessages(messages: unknown): Converted<AnthropicPrompt> {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest('messages must be a non-empty array', 'invalid_messages')
  }
  const warnings: string[] = []
  const system: AnthropicTextBlock[] = []
  const turns: AnthropicMessage[] = []

  const append = (role: AnthropicMessage['role'], blocks: AnthropicRequestBlock[]) => {
    const last = turns.at(-1)
    // A loop, not push(...blocks): a spread of a million parts overflows the stack.
    if (last?.role === role) for (const block of blocks) last.content.push(block)
    else turns.push({ role, content: blocks })
  }
  // Anthropic refuses a turn without content; an empty OpenAI message says nothing anyway.
  const appendUnlessEmpty = (role: AnthropicMessage['role'], blocks: AnthropicRequestBlock[], where: string) => {
    if (blocks.length > 0) append(role, blocks)
    else warnings.push(`${where}: an empty ${role} message was dropped`)
  }

  messages.forEach((message: unknown, i) => {
    const where = `messages[${i}]`
    if (message === null || typeof message !== 'object') throw invalidRequest(`${where} must be an object`, 'invalid_messages')
    const m = message as Record<string, unknown>
    if (typeof m.name === 'string') warnings.push(`${where}.name dropped: Anthropic messages carry no participant names`)
    const role = m.role
    switch (role) {
      case 'system':
      case 'developer':
        if (turns.length > 0) warnings.push(`${where}: a ${role} message inside the conversation was moved to the system prompt`)
        for (const block of convertToAnthropicText(m.content, where)) system.push(block)
        return
      case 'user':
        appendUnlessEmpty(role, convertToAnthropicContent(m.content, where), where)
        return
      case 'tool':
        append('user', [convertToolResult(m, where)])
        return
      case 'assistant':
        appendUnlessEmpty(role, convertAssistant(m, where, warnings), where)
        return
      case 'function':
        throw invalidRequest(`${where}: legacy function messages are not supported; use tools and tool messages`, 'invalid_messages')
      default:
        throw invalidRequest(`${where}.role must be one of system, developer, user, assistant, tool`, 'invalid_messages')
    }
  })

  if (turns.length === 0) throw invalidRequest('messages must contain at least one user or assistant message', 'invalid_messages')
  return { value: { system: system.length > 0 ? system : undefined, messages: turns }, warnings }
}

function convertAssistant(m: Record<string, unknown>, where: string, warnings: string[]): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = []
  const content = m.content
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content })
  } else if (Array.isArray(content)) {
    content.forEach((part: unknown, i) => {
      const p = part as { type?: unknown; text?: unknown } | null
      if (p?.type === 'text' && typeof p.text === 'string') {
        if (p.text !== '') blocks.push({ type: 'text', text: p.text })
      } else if (p?.type === 'refusal') {
        warnings.push(`${where}.content[${i}]: a refusal part was dropped`)
      } else {
        throw invalidRequest(`${where}.content[${i}] must be a text or refusal part`, 'invalid_content')
      }
    })
  } else if (content !== undefined && content !== null) {
    throw invalidRequest(`${where}.content must be a string, an array of parts or null`, 'invalid_content')
  }
  if (m.function_call !== undefined && m.function_call !== null) {
    throw invalidRequest(`${where}.function_call is the legacy form; use tool_calls`, 'invalid_messages')
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw invalidRequest(`${where}.tool_calls must be an array`, 'invalid_tool_calls')
    m.tool_calls.forEach((call: unknown, i) => blocks.push(convertToolCall(call, `${where}.tool_calls[${i}]`)))
  }
  return blocks
}

function convertToolCall(call: unknown, where: string): AnthropicToolUseBlock {
  const c = call as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } } | null
  if (typeof c?.id !== 'string' || typeof c.function?.name !== 'string') {
    throw invalidRequest(`${where} needs an id and a function name`, 'invalid_tool_calls')
  }
  if (c.type !== undefined && c.type !== 'function') throw invalidRequest(`${where}: only function tool calls are supported`, 'invalid_tool_calls')
  return { type: 'tool_use', id: toolUseId(c.id), name: c.function.name, input: parseToolArguments(c.function.arguments, where) }
}

function convertToolResult(m: Record<string, unknown>, where: string): AnthropicToolResultBlock {
  if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') throw invalidRequest(`${where}.tool_call_id is required`, 'invalid_messages')
  const content = typeof m.content === 'string' ? m.content : convertToAnthropicText(m.content, where)
  return { type: 'tool_result', tool_use_id: toolUseId(m.tool_call_id), content }
}
