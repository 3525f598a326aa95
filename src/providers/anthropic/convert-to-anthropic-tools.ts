import { invalidRequest, type Converted } from '../converted'
import type { AnthropicTool, AnthropicToolChoice } from './anthropic-api'

export interface AnthropicToolSettings {
  tools?: AnthropicTool[]
  tool_choice?: AnthropicToolChoice
}

/** A tool without parameters still needs a schema on Anthropic's side. */
const EMPTY_SCHEMA = { type: 'object', properties: {} }

/**
 * OpenAI `tools`, `tool_choice` and `parallel_tool_calls` to Anthropic's `tools` and
 * `tool_choice`: `required` is Anthropic's `any`, a named function is `tool`, and
 * `parallel_tool_calls: false` is `disable_parallel_tool_use`.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 */
export function convertToAnthropicTools(tools: unknown, toolChoice: unknown, parallelToolCalls: unknown): Converted<AnthropicToolSettings> {
  const warnings: string[] = []
  if (tools === undefined || tools === null || (Array.isArray(tools) && tools.length === 0)) {
    if (toolChoice !== undefined && toolChoice !== null) warnings.push('tool_choice dropped: the request has no tools')
    return { value: {}, warnings }
  }
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array', 'invalid_tools')
  const converted = tools.map((tool: unknown, i) => convertTool(tool, `tools[${i}]`, warnings))

  let choice = convertToolChoice(toolChoice)
  if (parallelToolCalls === false && choice?.type !== 'none') {
    choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true }
  }
  return { value: choice === undefined ? { tools: converted } : { tools: converted, tool_choice: choice }, warnings }
}

function convertTool(tool: unknown, where: string, warnings: string[]): AnthropicTool {
  const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown; strict?: unknown } } | null
  if (t?.type !== 'function') throw invalidRequest(`${where}: only function tools can be passed to Anthropic`, 'invalid_tools')
  const fn = t.function
  if (typeof fn?.name !== 'string' || fn.name === '') throw invalidRequest(`${where}.function.name is required`, 'invalid_tools')
  const parameters = fn.parameters ?? EMPTY_SCHEMA
  if (typeof parameters !== 'object' || Array.isArray(parameters)) throw invalidRequest(`${where}.function.parameters must be a JSON schema object`, 'invalid_tools')
  if (fn.strict === true) warnings.push(`${where}.function.strict dropped: not supported by the Anthropic translation`)
  const converted: AnthropicTool = { name: fn.name, input_schema: parameters as Record<string, unknown> }
  if (typeof fn.description === 'string') converted.description = fn.description
  return converted
}

function convertToolChoice(choice: unknown): AnthropicToolChoice | undefined {
  switch (choice) {
    case undefined:
    case null:
      return undefined
    case 'auto':
      return { type: 'auto' }
    case 'none':
      return { type: 'none' }
    case 'required':
      return { type: 'any' }
  }
  const named = choice as { type?: unknown; function?: { name?: unknown } }
  if (typeof choice === 'object' && named.type === 'function' && typeof named.function?.name === 'string') {
    return { type: 'tool', name: named.function.name }
  }
  throw invalidRequest('tool_choice must be auto, none, required or {"type":"function","function":{"name":...}}', 'invalid_tool_choice')
}
