/**
 * CPU of telemetry's reading of a stream, per 20-chunk stream of the benchmark's mock (the
 * shape `npm run bench` streams): the SSE parser alone, and the whole response observer
 * (parser, JSON of each event, assembly of the answer for the record). This runs on every
 * chunk the gateway passes, so its garbage also decides how often the collector pauses the
 * streams; run with `BUN_JSC_logGC=1` to count the collections.
 *
 *   bun scripts/bench/stream-telemetry-cpu.ts [--streams N] [--rounds N]
 *
 * Measured (Bun 1.4.5, 2-core Linux, 50,000 streams a round): the SSE parser 11.1-11.6 → 2.6-2.8 µs
 * a stream once it stopped slicing each line twice, joining one-line data through an array and
 * spreading the event object; the whole observer 19.3-21.0 → 7.3-7.7 µs, and the collections of
 * one round of both formats 317 → 151. One 4 MB event in 1 KiB chunks: 364 → 10 ms, once a push
 * no longer joined and rescanned the unfinished line.
 */
import { parseArgs } from 'node:util'
import { createSseParser } from '../../src/streaming/sse-parser'
import { createResponseObserver } from '../../src/telemetry/response/response-observer'
import { cpuMicros } from './cpu-per-chunk'
import { streamEvents, type MockFormat } from './mock-wire'

const { values } = parseArgs({ options: { streams: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '5' } } })
const STREAMS = Number(values.streams)
const ROUNDS = Number(values.rounds)

/** Median CPU µs per stream of `one` over the rounds, after a warm-up. */
function perStream(one: () => void): number {
  for (let i = 0; i < Math.min(STREAMS, 5000); i++) one()
  const samples: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = cpuMicros()
    for (let i = 0; i < STREAMS; i++) one()
    samples.push((cpuMicros() - start) / STREAMS)
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
}

let events = 0
let bytes = 0
console.log(`Bun ${Bun.version}, ${STREAMS} streams of 20 chunks, median of ${ROUNDS} rounds, CPU µs per stream:`)
for (const format of ['openai', 'anthropic'] as MockFormat[]) {
  const chunks = streamEvents(format, 20)
  const parse = perStream(() => {
    const parser = createSseParser(() => events++)
    for (const chunk of chunks) parser.push(chunk)
    parser.end()
  })
  const observe = perStream(() => {
    const observer = createResponseObserver({ format, eventStream: true, startedAt: 0, maxCollectBytes: 64 * 1024, onDone: (observed) => (bytes += observed.size) })
    for (const chunk of chunks) observer.chunk!(chunk)
    observer.end({ kind: 'complete' })
  })
  console.log(`  ${format.padEnd(9)}  SSE parser ${parse.toFixed(2).padStart(6)}   whole observer ${observe.toFixed(2).padStart(6)}`)
}

// One large event (a Responses API event can carry whole base64 images) in 1 KiB chunks: the
// parser's work must grow with the event's length, not with its square.
const large = new TextEncoder().encode(`data: ${'x'.repeat(4_000_000)}\n\n`)
const largeStart = cpuMicros()
const parser = createSseParser((event) => (events += event.data.length))
for (let at = 0; at < large.length; at += 1024) parser.push(large.subarray(at, at + 1024))
parser.end()
console.log(`  one 4 MB event in 1 KiB chunks: SSE parser ${((cpuMicros() - largeStart) / 1000).toFixed(1)} ms`)
if (events === 0 || bytes === 0) throw new Error('nothing was parsed')
