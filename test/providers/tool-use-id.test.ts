import { describe, expect, test } from 'bun:test'
import { convertToAnthropicMessages } from '../../src/providers/anthropic/convert-to-anthropic-messages'
import { convertToBedrockMessages } from '../../src/providers/bedrock/convert-to-bedrock-messages'
import { toolUseId } from '../../src/providers/tool-use-id'

/** A conversation whose tool call was made by another provider, with its own id format. */
const conversation = (id: string) => [
  { role: 'user', content: 'weather?' },
  { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lima"}' } }] },
  { role: 'tool', tool_call_id: id, content: 'sunny' },
]

describe('tool call ids for Anthropic and Bedrock', () => {
  test('ids they take already pass unchanged', () => {
    for (const id of ['call_abc123', 'toolu_01A09q90qw90lq917835lq9', 'tooluse_x-Y_z']) expect(toolUseId(id)).toBe(id)
  })

  test('ids with other characters, or longer than 64, become ones they take; distinct ids stay distinct', () => {
    const ids = ['functions.get_weather:0', 'functions.get_weather.0', 'a'.repeat(65), 'call 1', 'é']
    const mapped = ids.map(toolUseId)
    for (const id of mapped) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(new Set(mapped).size).toBe(ids.length)
    expect(toolUseId('functions.get_weather:0')).toBe(mapped[0]!)
  })

  test('Anthropic: a call and its result keep pairing up', () => {
    const { value } = convertToAnthropicMessages(conversation('functions.get_weather:0'))
    const use = (value.messages[1]!.content as any[]).find((block) => block.type === 'tool_use')
    const result = (value.messages[2]!.content as any[]).find((block) => block.type === 'tool_result')
    expect(use.id).toMatch(/^[a-zA-Z0-9_-]+$/)
    expect(result.tool_use_id).toBe(use.id)
  })

  test('Bedrock: a call and its result keep pairing up', () => {
    const { value } = convertToBedrockMessages(conversation('functions.get_weather:0'))
    const use = (value.messages[1]!.content as any[]).find((block) => block.toolUse)
    const result = (value.messages[2]!.content as any[]).find((block) => block.toolResult)
    expect(use.toolUse.toolUseId).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(result.toolResult.toolUseId).toBe(use.toolUse.toolUseId)
  })
})
