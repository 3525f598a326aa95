import { describe, expect, test } from 'bun:test'
import { createEventStreamDecoder, type EventStreamMessage } from '../../src/streaming/event-stream-decoder'
import { randomChunkings, splitEverywhere } from '../support/chunking'
import { encodeEventFrame, encodeExceptionFrame } from '../support/mock-bedrock'

const frames = [
  encodeEventFrame('messageStart', { role: 'assistant' }),
  encodeEventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Grüße, 世界 🌍' } }),
  encodeExceptionFrame('throttlingException', 'Too many tokens'),
]
const wire = Buffer.concat(frames)

type Seen = { type: string | undefined; body: string }
const view = (message: EventStreamMessage): Seen => ({
  type: (message.headers[':event-type'] ?? message.headers[':exception-type'])?.value as string | undefined,
  body: new TextDecoder().decode(message.body),
})
const expected: Seen[] = [
  { type: 'messageStart', body: expect.stringContaining('"role":"assistant"') as never },
  { type: 'contentBlockDelta', body: expect.stringContaining('Grüße, 世界 🌍') as never },
  { type: 'throttlingException', body: '{"message":"Too many tokens"}' },
]

function decode(chunks: Uint8Array[]): { seen: Seen[]; clean: boolean } {
  const seen: Seen[] = []
  const decoder = createEventStreamDecoder((message) => seen.push(view(message)))
  for (const chunk of chunks) decoder.push(chunk)
  return { seen, clean: decoder.end() }
}

describe('createEventStreamDecoder', () => {
  test('the same messages whole, byte by byte, at every split point and at seeded random splits', () => {
    let runs = 0
    for (const chunks of splitEverywhere(wire, 50)) {
      expect(decode(chunks)).toEqual({ seen: expected, clean: true })
      runs++
    }
    expect(runs).toBe(wire.length + 1 + 50)
  })

  test('a message that lies whole in one chunk is decoded in place, without a copy', () => {
    const bodies: Uint8Array[] = []
    const decoder = createEventStreamDecoder((message) => bodies.push(message.body))
    decoder.push(wire)
    expect(bodies).toHaveLength(3)
    for (const body of bodies) expect(body.buffer).toBe(wire.buffer)
  })

  test('a truncated final frame leaves the decoder unclean, after the whole messages', () => {
    for (const cut of [1, 3, 4, 5, 12, frames[2]!.length - 1]) {
      const truncated = wire.subarray(0, wire.length - cut)
      for (const chunks of randomChunkings(truncated, 10, cut)) {
        expect(decode(chunks)).toEqual({ seen: expected.slice(0, 2), clean: false })
      }
    }
  })

  test('a corrupted payload fails the message CRC, at any split', () => {
    const corrupt = Uint8Array.from(wire)
    corrupt[frames[0]!.length + 40]! ^= 0x01
    for (const chunks of splitEverywhere(corrupt, 10)) expect(() => decode(chunks)).toThrow(/checksum/)
  })

  test('a corrupted prelude fails the prelude CRC', () => {
    const corrupt = Uint8Array.from(wire)
    corrupt[5]! ^= 0x10 // headers length
    expect(() => decode([corrupt])).toThrow(/prelude checksum/)
  })

  test('an absurd message length is refused before anything is allocated', () => {
    expect(() => decode([new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])).toThrow(/out of range/)
    expect(() => decode([new Uint8Array([0, 0]), new Uint8Array([0, 3])])).toThrow(/out of range/)
  })
})
