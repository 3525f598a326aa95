/**
 * CPU cost of the Bedrock translation, per ConverseStream frame, against an identity
 * TransformStream (the cost of any JS step per chunk), plus SigV4 signing per request.
 * Frames arrive one per chunk, as Bedrock writes them; each lane runs several rounds and the
 * median is printed. Process CPU (user + system) is measured, not wall time.
 *
 *   bun scripts/bench/bedrock-translate-cpu.ts [--frames N] [--rounds N]
 */
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { parseArgs } from 'node:util'
import { createConverseStreamToOpenAIStream } from '../../src/providers/bedrock/converse-stream-to-openai'
import { createEventStreamDecoder } from '../../src/streaming/event-stream-decoder'
import { signAwsRequest } from '../../src/providers/bedrock/sign-aws-request'
import { cpuMicros, cpuPerChunk, pump } from './cpu-per-chunk'

const { values } = parseArgs({ options: { frames: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } } })
const FRAMES = Number(values.frames)
const ROUNDS = Number(values.rounds)

const encoder = new TextEncoder()
const codec = new EventStreamCodec((bytes) => new TextDecoder().decode(bytes), (text) => encoder.encode(text))
const frame = (eventType: string, payload: object) =>
  codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    // Bedrock pads every payload with a `p` field; a token of text is a typical delta.
    body: encoder.encode(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEF' })),
  })

const frames: Uint8Array[] = [frame('messageStart', { role: 'assistant' })]
for (let i = 0; i < FRAMES; i++) frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ` token${i % 100}` } }))
frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }))
frames.push(frame('messageStop', { stopReason: 'end_turn' }))
frames.push(frame('metadata', { usage: { inputTokens: 10, outputTokens: FRAMES, totalTokens: FRAMES + 10 }, metrics: { latencyMs: 100 } }))

const perFrame = (run: () => Promise<unknown> | unknown) => cpuPerChunk(frames.length, ROUNDS, run)

const identity = { id: 'chatcmpl-bench', created: 1_700_000_000, model: 'anthropic.claude-3-haiku-20240307-v1:0' }
const read = await perFrame(() => pump(frames, null))
const passthrough = await perFrame(() => pump(frames, new TransformStream()))
const translated = await perFrame(() => pump(frames, createConverseStreamToOpenAIStream(identity)))
const decodeOnly = await perFrame(() => {
  const decoder = createEventStreamDecoder(() => {})
  for (const bytes of frames) decoder.push(bytes)
})

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1' }
const body = encoder.encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hello '.repeat(200) }] }], inferenceConfig: { maxTokens: 100 } }))
const url = new URL('https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse')
const SIGNATURES = 5000
const signing = await (async () => {
  const sign = () => signAwsRequest({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: 'application/json' }, body }, credentials, { service: 'bedrock' })
  for (let i = 0; i < 500; i++) await sign()
  const start = cpuMicros()
  for (let i = 0; i < SIGNATURES; i++) await sign()
  return (cpuMicros() - start) / SIGNATURES
})()

const avgFrame = Math.round(frames.reduce((sum, f) => sum + f.byteLength, 0) / frames.length)
console.log(`Bun ${Bun.version}, ${frames.length} frames of ~${avgFrame} B, median of ${ROUNDS} rounds, CPU µs per frame:`)
console.log(`  read only (no transform)            ${read.toFixed(2)}`)
console.log(`  identity TransformStream            ${passthrough.toFixed(2)}`)
console.log(`  Bedrock → OpenAI SSE translation    ${translated.toFixed(2)}   (+${(translated - passthrough).toFixed(2)} over identity)`)
console.log(`  event-stream decode only (no streams) ${decodeOnly.toFixed(2)}`)
console.log(`SigV4 signing, ${body.byteLength} B body: ${signing.toFixed(1)} µs CPU per request`)
