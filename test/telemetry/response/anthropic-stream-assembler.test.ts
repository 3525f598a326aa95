import { describe, expect, test } from 'bun:test'
import { createSseParser, type SseEvent } from '../../../src/streaming/sse-parser'
import { createAnthropicStreamAssembler } from '../../../src/telemetry/response/anthropic-stream-assembler'
import { splitEverywhere } from '../../support/chunking'
import { assemble } from './assemble'
import { anthropicTextAndTool, cutInsideEvent, STREAM_FIXTURES } from './stream-fixtures'

const encoder = new TextEncoder()

describe('createAnthropicStreamAssembler', () => {
  for (const fixture of STREAM_FIXTURES.filter((f) => f.format === 'anthropic')) {
    test(`${fixture.name}: the same summary whole, byte by byte and split anywhere`, () => {
      let chunkings = 0
      for (const chunks of splitEverywhere(encoder.encode(fixture.wire))) {
        const { summary, clean } = assemble('anthropic', chunks)
        expect(summary).toEqual(fixture.summary)
        expect(clean).toBe(true)
        chunkings++
      }
      expect(chunkings).toBeGreaterThan(fixture.wire.length)
    })
  }

  test('sawContent turns true at the first content_block_delta, not at message_start, block start or ping', () => {
    const events: SseEvent[] = []
    const parser = createSseParser((e) => events.push(e))
    parser.push(encoder.encode(anthropicTextAndTool.wire))
    parser.end()
    const assembler = createAnthropicStreamAssembler()
    const seen = events.map((e) => (assembler.event(e), assembler.sawContent))
    expect(events.slice(0, 4).map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta'])
    expect(seen.indexOf(true)).toBe(3)
  })

  test('a stream with no message_start has no message and no usage', () => {
    const { summary, sawContent } = assemble('anthropic', [encoder.encode('event: ping\ndata: {"type": "ping"}\n\n')])
    expect(sawContent).toBe(false)
    expect(summary).toEqual({ model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: null, error: null })
  })

  test('a tool_use block whose JSON never completed keeps the raw text as its input', () => {
    const wire = anthropicTextAndTool.wire.replace('"partial_json":" \\"San Francisco, CA\\"}"', '"partial_json":" \\"San Fran"')
    const { summary } = assemble('anthropic', [encoder.encode(wire)])
    expect((summary.payload as any).content[1].input).toBe('{"location": "San Fran')
  })

  test('counts message_delta sends as null keep the ones message_start reported', () => {
    const assembler = createAnthropicStreamAssembler()
    const usage = { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 2000, output_tokens: 1 }
    assembler.event({ event: 'message_start', data: JSON.stringify({ type: 'message_start', message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage } }) })
    assembler.event({ event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 12 } }) })
    assembler.event({ event: 'message_stop', data: '{"type":"message_stop"}' })
    expect(assembler.summary().tokens).toEqual({ input: 2100, output: 12, total: 2112, cached_input: 2000, cache_write_input: 0, reasoning: null })
  })

  test('a stream cut inside message_delta is unclean and keeps the usage known so far', () => {
    const { summary, clean } = assemble('anthropic', [cutInsideEvent(anthropicTextAndTool.wire, 'event: message_delta')])
    expect(clean).toBe(false)
    expect(summary.finishReason).toBeNull()
    expect(summary.tokens).toEqual({ input: 2572, output: 2, total: 2574, cached_input: 2000, cache_write_input: 100, reasoning: null })
  })
})
