import { describe, expect, test } from 'bun:test'
import { convertToAnthropicTools, type AnthropicToolSettings } from '../../../src/providers/anthropic/convert-to-anthropic-tools'
import { refusal } from '../../support/refusal'

const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }
const weatherTool = { name: 'get_weather', description: 'Weather by city', input_schema: weather.function.parameters }

const cases: Array<{ name: string; tools: unknown; choice?: unknown; parallel?: unknown; expected: AnthropicToolSettings; warnings?: number }> = [
  { name: 'no tools', tools: undefined, expected: {} },
  { name: 'an empty tool list is no tools', tools: [], expected: {} },
  { name: 'a function tool', tools: [weather], expected: { tools: [weatherTool] } },
  {
    name: 'a tool without parameters gets an empty object schema',
    tools: [{ type: 'function', function: { name: 'now' } }],
    expected: { tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }] },
  },
  { name: 'tool_choice auto', tools: [weather], choice: 'auto', expected: { tools: [weatherTool], tool_choice: { type: 'auto' } } },
  { name: 'tool_choice none', tools: [weather], choice: 'none', expected: { tools: [weatherTool], tool_choice: { type: 'none' } } },
  { name: 'tool_choice required is any', tools: [weather], choice: 'required', expected: { tools: [weatherTool], tool_choice: { type: 'any' } } },
  {
    name: 'a named function is tool',
    tools: [weather],
    choice: { type: 'function', function: { name: 'get_weather' } },
    expected: { tools: [weatherTool], tool_choice: { type: 'tool', name: 'get_weather' } },
  },
  {
    name: 'parallel_tool_calls false disables parallel use',
    tools: [weather],
    choice: 'required',
    parallel: false,
    expected: { tools: [weatherTool], tool_choice: { type: 'any', disable_parallel_tool_use: true } },
  },
  {
    name: 'parallel_tool_calls false without tool_choice means auto',
    tools: [weather],
    parallel: false,
    expected: { tools: [weatherTool], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
  },
  { name: 'parallel_tool_calls false has nothing to disable under none', tools: [weather], choice: 'none', parallel: false, expected: { tools: [weatherTool], tool_choice: { type: 'none' } } },
  { name: 'tool_choice without tools is dropped', tools: undefined, choice: 'auto', expected: {}, warnings: 1 },
  {
    name: 'strict is dropped with a warning',
    tools: [{ type: 'function', function: { ...weather.function, strict: true } }],
    expected: { tools: [weatherTool] },
    warnings: 1,
  },
]

const refused: Array<{ name: string; tools: unknown; choice?: unknown; message: RegExp }> = [
  { name: 'tools not an array', tools: { a: 1 }, message: /tools must be an array/ },
  { name: 'a custom tool', tools: [{ type: 'custom', custom: { name: 'x' } }], message: /only function tools/ },
  { name: 'a tool without a name', tools: [{ type: 'function', function: {} }], message: /name is required/ },
  { name: 'parameters that are not a schema object', tools: [{ type: 'function', function: { name: 'f', parameters: [1] } }], message: /JSON schema object/ },
  { name: 'an unknown tool_choice', tools: [weather], choice: 'always', message: /tool_choice must be/ },
]

describe('convertToAnthropicTools', () => {
  for (const { name, tools, choice, parallel, expected, warnings = 0 } of cases) {
    test(name, () => {
      const converted = convertToAnthropicTools(tools, choice, parallel)
      expect(converted.value).toEqual(expected)
      expect(converted.warnings).toHaveLength(warnings)
    })
  }
  for (const { name, tools, choice, message } of refused) {
    test(`refused with 400: ${name}`, () => {
      const thrown = refusal(() => convertToAnthropicTools(tools, choice, undefined))
      expect(thrown.status).toBe(400)
      expect(thrown.message).toMatch(message)
    })
  }
})
