import { describe, expect, test } from 'bun:test'
import { convertToBedrockToolConfig } from '../../../src/providers/bedrock/convert-to-bedrock-tool-config'
import { refusal } from '../../support/refusal'

const weather = { type: 'function', function: { name: 'weather', description: 'By city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }
const weatherSpec = { toolSpec: { name: 'weather', description: 'By city', inputSchema: { json: weather.function.parameters } } }
const clock = { type: 'function', function: { name: 'clock' } }
const clockSpec = { toolSpec: { name: 'clock', inputSchema: { json: { type: 'object', properties: {} } } } }

const cases: Array<{ name: string; tools: unknown; choice?: unknown; hasToolBlocks?: boolean; value: unknown; warnings?: string[] }> = [
  { name: 'no tools: no toolConfig', tools: undefined, value: undefined },
  { name: 'an empty tools array: no toolConfig', tools: [], choice: 'auto', value: undefined },
  { name: 'tools without tool_choice leave the choice to Bedrock (auto)', tools: [weather], value: { tools: [weatherSpec] } },
  { name: 'a tool without parameters gets an empty object schema', tools: [clock], value: { tools: [clockSpec] } },
  { name: 'auto', tools: [weather], choice: 'auto', value: { tools: [weatherSpec], toolChoice: { auto: {} } } },
  { name: 'required is any', tools: [weather, clock], choice: 'required', value: { tools: [weatherSpec, clockSpec], toolChoice: { any: {} } } },
  {
    name: 'a named function is tool',
    tools: [weather, clock],
    choice: { type: 'function', function: { name: 'clock' } },
    value: { tools: [weatherSpec, clockSpec], toolChoice: { tool: { name: 'clock' } } },
  },
  { name: 'none leaves the tools out', tools: [weather], choice: 'none', value: undefined },
  {
    name: 'none with tool calls in the conversation keeps the tools Bedrock requires, with a warning',
    tools: [weather],
    choice: 'none',
    hasToolBlocks: true,
    value: { tools: [weatherSpec] },
    warnings: ['tool_choice "none" is not available on Bedrock while the conversation holds tool calls; the tools were sent without a choice'],
  },
  {
    name: 'strict is ignored with a warning',
    tools: [{ type: 'function', function: { ...clock.function, strict: true } }],
    value: { tools: [clockSpec] },
    warnings: ['function.strict is not supported by Bedrock and was ignored'],
  },
]

describe('convertToBedrockToolConfig', () => {
  for (const { name, tools, choice, hasToolBlocks = false, value, warnings = [] } of cases) {
    test(name, () => expect(convertToBedrockToolConfig(tools, choice, hasToolBlocks)).toEqual({ value, warnings } as never))
  }

  const refused: Array<{ name: string; tools: unknown; choice?: unknown; message: string }> = [
    { name: 'tools that are not an array', tools: { weather }, message: '`tools` must be an array' },
    { name: 'a tool that is not a function', tools: [{ type: 'code_interpreter' }], message: 'only tools of type "function"' },
    { name: 'a function without a name', tools: [{ type: 'function', function: {} }], message: 'name must be a non-empty string' },
    { name: 'parameters that are not a schema object', tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }], message: 'JSON schema object' },
    { name: 'tool_choice naming an unknown function', tools: [weather], choice: { type: 'function', function: { name: 'nope' } }, message: 'not in `tools`' },
    { name: 'an unknown tool_choice', tools: [weather], choice: 'sometimes', message: '`tool_choice` must be' },
    { name: 'tool_choice required without tools', tools: undefined, choice: 'required', message: '`tools` is empty' },
  ]
  for (const { name, tools, choice, message } of refused) {
    test(`refuses ${name}`, () => expect(refusal(() => convertToBedrockToolConfig(tools, choice, false))).toMatchObject({ status: 400, message: expect.stringContaining(message) }))
  }
})
