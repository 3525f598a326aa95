import { invalidRequest } from './converted'

/**
 * An assistant tool call's `function.arguments` from an OpenAI request (a string that should
 * hold a JSON object) as the object that Anthropic's `tool_use.input` and Bedrock's
 * `toolUse.input` both require. Absent or blank arguments mean none: `{}`. Anything else
 * that is not a JSON object is refused with 400, naming `where`.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
export function parseToolArguments(args: unknown, where: string): Record<string, unknown> {
  if (args === undefined || args === null || (typeof args === 'string' && args.trim() === '')) return {}
  if (typeof args !== 'string') throw invalidRequest(`${where}.function.arguments must be a JSON string`, 'invalid_tool_calls')
  let input: unknown
  try {
    input = JSON.parse(args)
  } catch {
    throw invalidRequest(`${where}.function.arguments is not valid JSON`, 'invalid_tool_calls')
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidRequest(`${where}.function.arguments must be a JSON object`, 'invalid_tool_calls')
  }
  return input as Record<string, unknown>
}
