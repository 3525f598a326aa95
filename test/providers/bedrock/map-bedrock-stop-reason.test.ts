import { describe, expect, test } from 'bun:test'
import { mapBedrockStopReason } from '../../../src/providers/bedrock/map-bedrock-stop-reason'

const table: Array<[string | undefined, string]> = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['guardrail_intervened', 'content_filter'],
  ['content_filtered', 'content_filter'],
  ['malformed_model_output', 'stop'],
  ['malformed_tool_use', 'stop'],
  ['a_reason_added_later', 'stop'],
  [undefined, 'stop'],
]

describe('mapBedrockStopReason', () => {
  for (const [reason, finish] of table) test(`${reason} → ${finish}`, () => expect(mapBedrockStopReason(reason)).toBe(finish as never))
})
