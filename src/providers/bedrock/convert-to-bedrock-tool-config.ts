import type { ToolChoice, ToolConfig, ToolSpec } from './bedrock-api'
import { isRecord, refuse, type Converted } from './conversion'

/**
 * OpenAI `tools` and `tool_choice` as a Converse toolConfig.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolConfiguration.html
 *
 * Converse has no "none": the tools are left out instead, unless the conversation already holds
 * tool calls, for which Bedrock requires the toolConfig; then the model may still call a tool.
 */
export function convertToBedrockToolConfig(tools: unknown, toolChoice: unknown, hasToolBlocks: boolean): Converted<ToolConfig | undefined> {
  const warnings: string[] = []
  if (tools === undefined || tools === null || (Array.isArray(tools) && tools.length === 0)) {
    if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'none' && toolChoice !== 'auto') {
      refuse('`tool_choice` asks for a tool but `tools` is empty', 'invalid_request')
    }
    return { value: undefined, warnings }
  }
  if (!Array.isArray(tools)) refuse('`tools` must be an array', 'invalid_request')
  const specs = tools.map((tool: unknown, i) => toolSpec(tool, i, warnings))

  let choice: ToolChoice | undefined
  if (toolChoice === undefined || toolChoice === null || toolChoice === 'auto') choice = toolChoice === 'auto' ? { auto: {} } : undefined
  else if (toolChoice === 'required') choice = { any: {} }
  else if (toolChoice === 'none') {
    if (!hasToolBlocks) return { value: undefined, warnings }
    warnings.push('tool_choice "none" is not available on Bedrock while the conversation holds tool calls; the tools were sent without a choice')
  } else if (isRecord(toolChoice) && toolChoice.type === 'function' && isRecord(toolChoice.function) && typeof toolChoice.function.name === 'string') {
    const name = toolChoice.function.name
    if (!specs.some((spec) => spec.toolSpec.name === name)) refuse('`tool_choice` names a function that is not in `tools`', 'invalid_request')
    choice = { tool: { name } }
  } else {
    refuse('`tool_choice` must be "auto", "required", "none" or {"type":"function","function":{"name":...}}', 'invalid_request')
  }
  return { value: choice === undefined ? { tools: specs } : { tools: specs, toolChoice: choice }, warnings }
}

function toolSpec(tool: unknown, i: number, warnings: string[]): ToolSpec {
  const where = `tools[${i}]`
  if (!isRecord(tool) || tool.type !== 'function') refuse(`${where}: Bedrock supports only tools of type "function"`)
  const fn = tool.function
  if (!isRecord(fn) || typeof fn.name !== 'string' || fn.name === '') refuse(`${where}.function.name must be a non-empty string`, 'invalid_request')
  if (fn.description !== undefined && typeof fn.description !== 'string') refuse(`${where}.function.description must be a string`, 'invalid_request')
  if (fn.parameters !== undefined && !isRecord(fn.parameters)) refuse(`${where}.function.parameters must be a JSON schema object`, 'invalid_request')
  if (fn.strict === true && !warnings.includes(STRICT_IGNORED)) warnings.push(STRICT_IGNORED)
  // A tool without parameters still needs a schema on Bedrock: an object with no properties.
  const json = fn.parameters ?? { type: 'object', properties: {} }
  const spec: ToolSpec['toolSpec'] = { name: fn.name, inputSchema: { json } }
  if (fn.description) spec.description = fn.description
  return { toolSpec: spec }
}

const STRICT_IGNORED = 'function.strict is not supported by Bedrock and was ignored'
