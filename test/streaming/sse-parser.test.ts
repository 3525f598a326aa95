import { describe, expect, test } from 'bun:test'
import { createSseParser, MAX_EVENT_LENGTH, SseOverflowError, type SseEvent } from '../../src/streaming/sse-parser'
import { splitEverywhere } from '../support/chunking'

function parse(chunks: Uint8Array[]): { events: SseEvent[]; clean: boolean } {
  const events: SseEvent[] = []
  const parser = createSseParser((e) => events.push(e))
  for (const chunk of chunks) parser.push(chunk)
  return { events, clean: parser.end() }
}

const cases: Array<{ name: string; wire: string; events: SseEvent[]; clean?: boolean }> = [
  { name: 'LF framing', wire: 'data: {"a":1}\n\ndata: [DONE]\n\n', events: [{ event: '', data: '{"a":1}' }, { event: '', data: '[DONE]' }] },
  { name: 'CRLF framing with event names', wire: 'event: message_start\r\ndata: {"x":"é"}\r\n\r\n', events: [{ event: 'message_start', data: '{"x":"é"}' }] },
  { name: 'CR-only framing', wire: 'data: a\r\rdata: b\r\r', events: [{ event: '', data: 'a' }, { event: '', data: 'b' }] },
  { name: 'multi-line data', wire: 'data: line1\ndata: line2\n\n', events: [{ event: '', data: 'line1\nline2' }] },
  { name: 'comments and keep-alives are skipped', wire: ': OPENROUTER PROCESSING\n\n: ping\ndata: x\n\n', events: [{ event: '', data: 'x' }] },
  { name: 'no space after the colon', wire: 'data:x\n\n', events: [{ event: '', data: 'x' }] },
  { name: 'id field', wire: 'id: 7\ndata: x\n\n', events: [{ event: '', data: 'x', id: '7' }] },
  { name: 'fields are matched whole, not by prefix', wire: 'database: x\ndat: y\nevents: z\nidx: 1\ndata: ok\n\n', events: [{ event: '', data: 'ok' }] },
  { name: 'a colon inside the value stays', wire: 'event: a:b\ndata: {"t":"12:30"}\n\n', events: [{ event: 'a:b', data: '{"t":"12:30"}' }] },
  { name: 'a field without a colon has an empty value', wire: 'data\ndata\n\n', events: [{ event: '', data: '\n' }] },
  { name: 'lines without a colon before one that has it', wire: 'retry\nfoo\ndata\n\nevent\ndata: x:y\n\n', events: [{ event: '', data: '' }, { event: '', data: 'x:y' }] },
  { name: 'only one space after the colon is dropped', wire: 'data:  two\n\n', events: [{ event: '', data: ' two' }] },
  { name: 'the last id carries over to later events', wire: 'id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\n', events: [{ event: '', data: 'a', id: '1' }, { event: '', data: 'b', id: '1' }, { event: '', data: 'c', id: '1' }] },
  { name: 'mixed line ends in one stream', wire: 'data: a\r\n\ndata: b\r\rdata: c\n\r\n', events: [{ event: '', data: 'a' }, { event: '', data: 'b' }, { event: '', data: 'c' }] },
  { name: 'an event without data is not dispatched', wire: 'event: ping\n\n', events: [] },
  { name: 'a cut final event is reported as unclean', wire: 'data: a\n\ndata: {"trunc', events: [{ event: '', data: 'a' }], clean: false },
  { name: 'a final event without its blank line is unclean', wire: 'data: a\n', events: [], clean: false },
]

describe('createSseParser', () => {
  for (const { name, wire, events, clean = true } of cases) {
    test(`${name}: the same events for every split of the bytes`, () => {
      for (const chunks of splitEverywhere(new TextEncoder().encode(wire))) {
        expect(parse(chunks)).toEqual({ events, clean })
      }
    })
  }

  test('an empty chunk between a CR and its LF does not make the LF a blank line', () => {
    const bytes = (text: string) => new TextEncoder().encode(text)
    expect(parse([bytes('data: a\r'), new Uint8Array(0), bytes('\ndata: b\r\n\r\n')])).toEqual({ events: [{ event: '', data: 'a\nb' }], clean: true })
  })

  test('a line split over many chunks is read whole, once its end arrives', () => {
    const text = 'x'.repeat(100_000)
    const wire = new TextEncoder().encode(`data: ${text}\n\n`)
    const chunks = Array.from({ length: Math.ceil(wire.length / 7) }, (_, i) => wire.subarray(i * 7, i * 7 + 7))
    expect(parse(chunks)).toEqual({ events: [{ event: '', data: text }], clean: true })
  })

  test(`a line longer than ${MAX_EVENT_LENGTH} characters is refused, not held without end`, () => {
    const parser = createSseParser(() => {})
    const piece = new TextEncoder().encode('x'.repeat(1024 * 1024))
    parser.push(new TextEncoder().encode('data: '))
    let pushed = 0
    const pushAll = () => {
      for (; pushed <= MAX_EVENT_LENGTH / piece.length; pushed++) parser.push(piece)
    }
    expect(pushAll).toThrow(SseOverflowError)
    // 'data: ' and 31 whole pieces fit; the 32nd takes the line past the limit.
    expect(pushed).toBe(MAX_EVENT_LENGTH / piece.length - 1)
  })

  test(`an event whose data lines add up past ${MAX_EVENT_LENGTH} characters is refused`, () => {
    const parser = createSseParser(() => {})
    const lines = new TextEncoder().encode(`data: ${'y'.repeat(1024 * 1024 - 7)}\n`.repeat(8))
    let pushed = 0
    const pushAll = () => {
      for (; pushed < 100; pushed++) parser.push(lines)
    }
    expect(pushAll).toThrow(SseOverflowError)
    expect(pushed).toBe(4)
  })
})
