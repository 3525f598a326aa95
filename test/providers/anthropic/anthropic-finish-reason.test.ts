import { describe, expect, test } from 'bun:test'
import { anthropicFinishReason } from '../../../src/providers/anthropic/anthropic-finish-reason'

const cases: Array<[string | null | undefined, string | null, number]> = [
  // Anthropic stop_reason, OpenAI finish_reason, warnings
  ['end_turn', 'stop', 0],
  ['stop_sequence', 'stop', 0],
  ['pause_turn', 'stop', 0],
  ['max_tokens', 'length', 0],
  ['model_context_window_exceeded', 'length', 0],
  ['tool_use', 'tool_calls', 0],
  ['refusal', 'content_filter', 0],
  [null, null, 0],
  [undefined, null, 0],
  ['something_new', 'stop', 1],
]

describe('anthropicFinishReason', () => {
  for (const [reason, finish, warnings] of cases) {
    test(`${reason} → ${finish}`, () => {
      const mapped = anthropicFinishReason(reason)
      expect(mapped.value).toBe(finish as never)
      expect(mapped.warnings).toHaveLength(warnings)
    })
  }
  test('an unknown reason is named in its warning', () => {
    expect(anthropicFinishReason('something_new').warnings[0]).toContain('"something_new"')
  })
})
