import { describe, expect, test } from 'bun:test'
import type { BodyEnd } from '../../../src/streaming/body-tap'
import { createResponseObserver, type ObservedResponse } from '../../../src/telemetry/response/response-observer'
import { EMPTY_SUMMARY } from '../../../src/telemetry/response/response-summary'
import { randomChunkings, splitEverywhere } from '../../support/chunking'
import { assemble } from './assemble'
import { anthropicCrlf, anthropicTextAndTool, cutInsideEvent, openaiText, STREAM_FIXTURES } from './stream-fixtures'

const encoder = new TextEncoder()

function observe(options: { format: 'openai' | 'anthropic'; eventStream: boolean; chunks: Uint8Array[]; maxCollectBytes?: number; end?: BodyEnd }): ObservedResponse {
  let observed: ObservedResponse | undefined
  let calls = 0
  const observer = createResponseObserver({
    format: options.format,
    eventStream: options.eventStream,
    startedAt: performance.now(),
    maxCollectBytes: options.maxCollectBytes ?? 1024 * 1024,
    onDone: (o) => ((observed = o), calls++),
  })
  for (const chunk of options.chunks) observer.chunk!(chunk)
  observer.end(options.end ?? { kind: 'complete' })
  expect(calls).toBe(1)
  return observed!
}

/** performance.now() strictly later than `after`: arrival times that cannot tie. */
function tick(after: number): number {
  let now = performance.now()
  while (now <= after) now = performance.now()
  return now
}

describe('createResponseObserver: streams', () => {
  for (const fixture of STREAM_FIXTURES) {
    const bytes = encoder.encode(fixture.wire)
    const hasContent = assemble(fixture.format, [bytes]).sawContent
    // Event streams are parsed as they pass (no cap applies): a stream of any length is read whole.
    for (const maxCollectBytes of [1024 * 1024, 300]) {
      test(`${fixture.name} (cap ${maxCollectBytes}, which event streams ignore): the same result whole, byte by byte and split anywhere`, () => {
        for (const chunks of splitEverywhere(bytes, 20, 11)) {
          const observed = observe({ format: fixture.format, eventStream: true, chunks, maxCollectBytes })
          expect(observed).toEqual({
            summary: fixture.summary,
            size: bytes.byteLength,
            ttftMs: hasContent ? expect.any(Number) : null,
            end: { kind: 'complete' },
            truncated: false,
          })
          if (observed.ttftMs !== null) expect(observed.ttftMs).toBeGreaterThanOrEqual(0)
        }
      })
    }
  }

  for (const maxCollectBytes of [1024 * 1024, 10]) {
    test(`ttft is the arrival of the chunk that completes the first content event (cap ${maxCollectBytes}, which event streams ignore)`, () => {
      // openaiText: role chunk, keep-alive, then the first content event, which arrives in two pieces.
      const bytes = encoder.encode(openaiText.wire)
      const contentAt = openaiText.wire.indexOf('"content":"Hello"')
      const pieces = [bytes.subarray(0, contentAt), bytes.subarray(contentAt, contentAt + 10), bytes.subarray(contentAt + 10)]
      let observed: ObservedResponse | undefined
      const startedAt = performance.now()
      const observer = createResponseObserver({ format: 'openai', eventStream: true, startedAt, maxCollectBytes, onDone: (o) => (observed = o) })

      const first = tick(startedAt)
      observer.chunk!(pieces[0]!) // role chunk: not content
      const beforeSecond = tick(performance.now())
      observer.chunk!(pieces[1]!) // half of the first content event
      const beforeThird = tick(performance.now())
      observer.chunk!(pieces[2]!) // completes it
      const afterThird = performance.now()
      tick(afterThird)
      observer.end({ kind: 'complete' })

      expect(first).toBeGreaterThan(startedAt)
      expect(observed!.ttftMs).toBeGreaterThanOrEqual(beforeThird - startedAt)
      expect(observed!.ttftMs).toBeLessThanOrEqual(afterThird - startedAt)
      expect(observed!.ttftMs).toBeGreaterThan(beforeSecond - startedAt)
      expect(observed!.summary).toEqual(openaiText.summary)
    })
  }

  const truncated = [
    { name: 'OpenAI cut inside the usage chunk', format: 'openai' as const, bytes: cutInsideEvent(openaiText.wire, 'data: {"id":"chatcmpl-AY1","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[]') },
    { name: 'Anthropic cut inside message_delta', format: 'anthropic' as const, bytes: cutInsideEvent(anthropicTextAndTool.wire, 'event: message_delta') },
    { name: 'Anthropic CRLF cut after an event line', format: 'anthropic' as const, bytes: encoder.encode(anthropicCrlf.wire.slice(0, anthropicCrlf.wire.indexOf('event: message_stop') + 'event: message_stop\r\n'.length)) },
  ]
  for (const { name, format, bytes } of truncated) {
    test(`a stream cut in the middle of an event reports truncated (${name})`, () => {
      for (const chunks of [[bytes], ...randomChunkings(bytes, 5)]) {
        const observed = observe({ format, eventStream: true, chunks })
        expect(observed.truncated).toBe(true)
        expect(observed.size).toBe(bytes.byteLength)
      }
    })
  }

  test('a stream that ends on an event boundary before its closing event is truncated too', () => {
    const openaiCut = openaiText.wire.slice(0, openaiText.wire.indexOf('data: ', openaiText.wire.indexOf('data: ') + 1))
    expect(observe({ format: 'openai', eventStream: true, chunks: [encoder.encode(openaiCut)] }).truncated).toBe(true)
    const anthropicCut = anthropicTextAndTool.wire.slice(0, anthropicTextAndTool.wire.indexOf('event: message_stop'))
    expect(observe({ format: 'anthropic', eventStream: true, chunks: [encoder.encode(anthropicCut)] }).truncated).toBe(true)
  })

  test('a stream that ends between events after its finish reason is not truncated', () => {
    const wire = openaiText.wire.slice(0, openaiText.wire.indexOf('data: [DONE]'))
    expect(observe({ format: 'openai', eventStream: true, chunks: [encoder.encode(wire)] }).truncated).toBe(false)
  })

  test('a stream far larger than the cap still yields its usage and whole message', () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, finish_reason: finish }], usage: null })}\n\n`
    const words = Array.from({ length: 2000 }, (_, i) => `w${i} `)
    const usage = { prompt_tokens: 5, completion_tokens: 2000, total_tokens: 2005 }
    const wire =
      chunk({ role: 'assistant', content: '' }) +
      words.map((w) => chunk({ content: w })).join('') +
      chunk({}, 'stop') +
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage })}\n\n` +
      'data: [DONE]\n\n'
    const bytes = encoder.encode(wire)
    expect(bytes.byteLength).toBeGreaterThan(200_000)
    const observed = observe({ format: 'openai', eventStream: true, chunks: [...randomChunkings(bytes, 1)][0]!, maxCollectBytes: 4096 })
    expect(observed.summary.tokens).toEqual({ input: 5, output: 2000, total: 2005, cached_input: null, cache_write_input: null, reasoning: null })
    expect((observed.summary.payload as any).choices[0].message.content).toBe(words.join(''))
    expect(observed.size).toBe(bytes.byteLength)
    expect(observed.ttftMs).not.toBeNull()
  })

  test('how the body ended is passed on as it is', () => {
    const bytes = encoder.encode(openaiText.wire)
    for (const end of [{ kind: 'client_abort' }, { kind: 'idle_timeout' }, { kind: 'upstream_error', message: 'socket closed' }] as BodyEnd[]) {
      expect(observe({ format: 'openai', eventStream: true, chunks: [bytes.subarray(0, 300)], end }).end).toEqual(end)
    }
  })
})

describe('createResponseObserver: JSON bodies', () => {
  const body = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: 'héllo ✓' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }
  const bytes = encoder.encode(JSON.stringify(body))

  test('parsed once at the end, whatever the chunking (UTF-8 split included)', () => {
    for (const chunks of splitEverywhere(bytes, 10)) {
      expect(observe({ format: 'openai', eventStream: false, chunks })).toEqual({
        summary: { model: 'gpt-4o-mini-2024-07-18', tokens: { input: 3, output: 2, total: 5, cached_input: null, cache_write_input: null, reasoning: null }, finishReason: 'stop', finishReasonRaw: 'stop', payload: body, error: null },
        size: bytes.byteLength,
        ttftMs: null,
        end: { kind: 'complete' },
        truncated: false,
      })
    }
  })

  test('whitespace before the JSON (OpenRouter keeps a slow answer alive with it) is waited out, however much', () => {
    const spaces = encoder.encode(' \n'.repeat(100))
    expect(observe({ format: 'openai', eventStream: false, chunks: [spaces, spaces, bytes] }).summary.tokens?.total).toBe(5)
  })

  test('a body that is no JSON (audio) is counted, not kept, from its first bytes on', () => {
    const audio = new Uint8Array(1000).fill(0xff)
    const observed = observe({ format: 'openai', eventStream: false, chunks: [audio, encoder.encode('{"usage":{"prompt_tokens":1}}')] })
    expect(observed.size).toBe(1000 + 29)
    expect(observed.summary).toEqual(EMPTY_SUMMARY)

    // Chunks are kept by reference: had the audio been kept, JSON written into its bytes after
    // they passed would be read at the end.
    let later: ObservedResponse | undefined
    const observer = createResponseObserver({ format: 'openai', eventStream: false, startedAt: 0, maxCollectBytes: 1 << 20, onDone: (o) => (later = o) })
    const chunk = new Uint8Array(1000).fill(0xff)
    observer.chunk!(chunk)
    chunk.fill(0x20).set(encoder.encode('{"usage":{"prompt_tokens":7,"total_tokens":7}}'))
    observer.end({ kind: 'complete' })
    expect(later!.summary).toEqual(EMPTY_SUMMARY)
  })

  test('a body exactly at the cap is still read', () => {
    expect(observe({ format: 'openai', eventStream: false, chunks: [bytes], maxCollectBytes: bytes.byteLength }).summary.tokens?.total).toBe(5)
  })

  test('a body larger than the cap yields unknown usage, and its size', () => {
    const observed = observe({ format: 'openai', eventStream: false, chunks: [bytes.subarray(0, 50), bytes.subarray(50)], maxCollectBytes: bytes.byteLength - 1 })
    expect(observed).toEqual({ summary: EMPTY_SUMMARY, size: bytes.byteLength, ttftMs: null, end: { kind: 'complete' }, truncated: false })
  })

  test('an empty or non-JSON body yields an empty summary', () => {
    expect(observe({ format: 'openai', eventStream: false, chunks: [] }).summary).toEqual(EMPTY_SUMMARY)
    expect(observe({ format: 'anthropic', eventStream: false, chunks: [encoder.encode('<html>502 Bad Gateway</html>')] }).summary).toEqual(EMPTY_SUMMARY)
  })
})
