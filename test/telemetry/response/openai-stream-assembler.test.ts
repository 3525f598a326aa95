import { describe, expect, test } from 'bun:test'
import { createSseParser, type SseEvent } from '../../../src/streaming/sse-parser'
import { createOpenAIStreamAssembler } from '../../../src/telemetry/response/openai-stream-assembler'
import { splitEverywhere } from '../../support/chunking'
import { assemble } from './assemble'
import { cutInsideEvent, openaiText, openaiToolCalls, responsesFunctionCall, responsesText, STREAM_FIXTURES } from './stream-fixtures'

const encoder = new TextEncoder()

describe('createOpenAIStreamAssembler', () => {
  for (const fixture of STREAM_FIXTURES.filter((f) => f.format === 'openai')) {
    test(`${fixture.name}: the same summary whole, byte by byte and split anywhere`, () => {
      let chunkings = 0
      for (const chunks of splitEverywhere(encoder.encode(fixture.wire))) {
        const { summary, clean } = assemble('openai', chunks)
        expect(summary).toEqual(fixture.summary)
        expect(clean).toBe(true)
        chunkings++
      }
      expect(chunkings).toBeGreaterThan(fixture.wire.length)
    })
  }

  // Which event first carries content decides the time to first token.
  const firstContent: Array<{ name: string; wire: string; firstContentEvent: number }> = [
    { name: 'text: the first non-empty content delta, not the role chunk', wire: openaiText.wire, firstContentEvent: 1 },
    { name: 'tool calls: the first tool_calls delta', wire: openaiToolCalls.wire, firstContentEvent: 0 },
    { name: 'Responses API text: the first output_text delta', wire: responsesText.wire, firstContentEvent: 4 },
    { name: 'Responses API function call: the first arguments delta', wire: responsesFunctionCall.wire, firstContentEvent: 2 },
  ]
  for (const { name, wire, firstContentEvent } of firstContent) {
    test(`sawContent turns true at the first content event (${name})`, () => {
      const events: SseEvent[] = []
      const parser = createSseParser((e) => events.push(e))
      parser.push(encoder.encode(wire))
      parser.end()
      const assembler = createOpenAIStreamAssembler()
      const seen = events.map((e) => (assembler.event(e), assembler.sawContent))
      expect(seen.indexOf(true)).toBe(firstContentEvent)
      expect(seen.slice(firstContentEvent).every(Boolean)).toBe(true)
    })
  }

  test('reasoning deltas (reasoning_content, reasoning) and refusals are assembled into the message', () => {
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    const wire =
      chunk({ role: 'assistant', content: null, reasoning_content: '' }) +
      chunk({ reasoning_content: 'Think' }) +
      chunk({ reasoning: 'ing.' }) +
      chunk({ content: 'Done' }) +
      chunk({ refusal: 'but no' }) +
      chunk({}, 'stop') +
      'data: [DONE]\n\n'
    const { summary, sawContent } = assemble('openai', [encoder.encode(wire)])
    expect(sawContent).toBe(true)
    expect((summary.payload as any).choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'Done', refusal: 'but no', reasoning_content: 'Thinking.' }, finish_reason: 'stop' }])
  })

  test('a stream of keep-alives and [DONE] only: no content, no usage, nothing invented', () => {
    const { summary, sawContent, clean } = assemble('openai', [encoder.encode(': keep-alive\n\n: keep-alive\n\ndata: [DONE]\n\n')])
    expect(clean).toBe(true)
    expect(sawContent).toBe(false)
    expect(summary).toEqual({ model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: { id: null, object: 'chat.completion', created: null, model: null, choices: [], usage: null }, error: null })
  })

  test('a model or finish reason that is no string is left out: the document maps them as keywords', () => {
    const assembler = createOpenAIStreamAssembler()
    assembler.event({ event: '', data: JSON.stringify({ id: 'c1', model: { name: 'odd' }, choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] }) })
    assembler.event({ event: '', data: JSON.stringify({ id: 'c1', model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: { why: 'stop' } }] }) })
    assembler.event({ event: '', data: '[DONE]' })
    const summary = assembler.summary()
    expect(summary.model).toBe('gpt-4o-mini')
    expect(summary.finishReason).toBeNull()
  })

  test('a chunk that is not JSON is skipped, the rest still counts', () => {
    const wire = openaiText.wire.replace('data: [DONE]', 'data: {"broken\n\ndata: [DONE]')
    expect(assemble('openai', [encoder.encode(wire)]).summary).toEqual(openaiText.summary)
  })

  test('a stream cut inside an event is reported unclean; the events before it still count', () => {
    const { summary, clean } = assemble('openai', [cutInsideEvent(openaiText.wire, 'data: {"id":"chatcmpl-AY1","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[]')])
    expect(clean).toBe(false)
    expect(summary.tokens).toBeNull() // the usage chunk was the one cut
    expect(summary.finishReason).toBe('stop')
    expect((summary.payload as any).choices[0].message.content).toBe('Hello wörld ✓')
  })
})
