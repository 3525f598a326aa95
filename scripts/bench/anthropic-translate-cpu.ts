/**
 * CPU cost of the Anthropic → OpenAI stream translation, per upstream chunk, against an
 * identity TransformStream (the cost of any JS step per chunk). Chunks are whole SSE events,
 * one per chunk, as Anthropic writes them: `content_block_delta` text deltas of a token or
 * two, with a ping every 50. Each lane runs several rounds and the median is printed.
 * Process CPU (user + system) is measured, not wall time.
 *
 *   bun scripts/bench/anthropic-translate-cpu.ts [--events N] [--rounds N]
 *
 * Measured (Bun 1.4.5, 2-core Linux, 20005 chunks of ~121 B, three runs): identity
 * TransformStream 0.47-0.49 µs per chunk, translation 2.20-2.53 µs (+1.7-2.1 over identity),
 * of which the SSE parser alone is ~0.7 µs. After the parser's rewrite for less garbage:
 * translation 1.42 µs (+0.94), the parser 0.15 µs.
 */
import { parseArgs } from 'node:util'
import { createAnthropicToOpenAIStream } from '../../src/providers/anthropic/create-anthropic-to-openai-stream'
import { createSseParser } from '../../src/streaming/sse-parser'
import { cpuPerChunk, pump } from './cpu-per-chunk'

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } } })
const EVENTS = Number(values.events)
const ROUNDS = Number(values.rounds)

const encoder = new TextEncoder()
const event = (type: string, data: object) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
const usage = { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }
const chunks: Uint8Array[] = [
  event('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage } }),
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
]
for (let i = 0; i < EVENTS; i++) {
  chunks.push(i % 50 === 49 ? event('ping', {}) : event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ` token${i % 100}` } }))
}
chunks.push(event('content_block_stop', { index: 0 }))
chunks.push(event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: EVENTS } }))
chunks.push(event('message_stop', {}))

const perChunk = (run: () => Promise<unknown> | unknown) => cpuPerChunk(chunks.length, ROUNDS, run)

const read = await perChunk(() => pump(chunks, null))
const passthrough = await perChunk(() => pump(chunks, new TransformStream()))
const translated = await perChunk(() => pump(chunks, createAnthropicToOpenAIStream({ created: 1_700_000_000 })))
const parseOnly = await perChunk(() => {
  const parser = createSseParser(() => {})
  for (const bytes of chunks) parser.push(bytes)
  parser.end()
})

const avgIn = Math.round(chunks.reduce((sum, c) => sum + c.byteLength, 0) / chunks.length)
const outBytes = await pump(chunks, createAnthropicToOpenAIStream({ created: 1_700_000_000 }))
console.log(`Bun ${Bun.version}, ${chunks.length} chunks of ~${avgIn} B in (~${Math.round(outBytes / chunks.length)} B out), median of ${ROUNDS} rounds, CPU µs per chunk:`)
console.log(`  read only (no transform)               ${read.toFixed(2)}`)
console.log(`  identity TransformStream               ${passthrough.toFixed(2)}`)
console.log(`  Anthropic → OpenAI SSE translation     ${translated.toFixed(2)}   (+${(translated - passthrough).toFixed(2)} over identity)`)
console.log(`  SSE parse only (no streams)            ${parseOnly.toFixed(2)}`)
