import { describe, expect, test } from 'bun:test'
import { mapAnthropicStopReason } from '../../../src/telemetry/response/map-anthropic-stop-reason'

// https://docs.anthropic.com/en/api/handling-stop-reasons, in OpenAI's finish_reason vocabulary.
const stopReasons: Array<[string | null | undefined, string | null]> = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
  // Unknown, not a word outside OpenAI's vocabulary: the record keeps the raw reason beside it.
  ['a_reason_added_later', null],
  [null, null],
  [undefined, null],
]

describe('mapAnthropicStopReason', () => {
  for (const [raw, unified] of stopReasons) {
    test(`${raw} → ${unified}`, () => {
      expect(mapAnthropicStopReason(raw)).toBe(unified as never)
    })
  }
})
