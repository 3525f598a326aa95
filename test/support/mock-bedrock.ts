import { EventStreamCodec } from '@smithy/eventstream-codec'
import { verifySigV4 } from './sigv4-verifier'

/**
 * A real HTTP server on loopback that answers like Bedrock's runtime API: Converse JSON,
 * ConverseStream as application/vnd.amazon.eventstream frames with real CRCs, errors as
 * `{"message"}` with `x-amzn-errortype`, exception frames mid-stream. Every request must carry
 * a valid SigV4 signature for one of `credentials`, checked independently of the gateway's signer.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
export interface BedrockScenario {
  /** Text deltas of the answer (joined for Converse). */
  text: string[]
  /** A tool call after the text; its input streams in `inputChunks` pieces. */
  toolUse?: { toolUseId: string; name: string; input: Record<string, unknown>; inputChunks: number }
  stopReason: string
  usage: { inputTokens: number; outputTokens: number; totalTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number }
  /** Answer with this HTTP error instead. */
  error?: { status: number; type: string; message: string }
  /** ConverseStream: after this many event frames, an exception frame ends the stream. */
  exception?: { afterFrames: number; type: string; message: string }
  /** ConverseStream: network writes of this many bytes, cutting frames anywhere (0 = one frame per write). */
  writeBytes: number
  /** ConverseStream: pause between writes. */
  writeDelayMs: number
}

export interface RecordedBedrockRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: any
  /** Access key and region of the verified signature. */
  signedBy: { accessKeyId: string; region: string; service: string }
}

export const DEFAULT_BEDROCK_SCENARIO: BedrockScenario = {
  text: ['Hello', ' from', ' Bedrock', ' — ünïcode ✓'],
  stopReason: 'end_turn',
  usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 },
  writeBytes: 0,
  writeDelayMs: 0,
}

export interface MockBedrock {
  url: string
  requests: RecordedBedrockRequest[]
  /** Requests refused for their signature, with the reason. */
  rejected: string[]
  scenario: BedrockScenario
  cancelledStreams: number
  reset(): void
  stop(): void
}

const codec = new EventStreamCodec((bytes) => new TextDecoder().decode(bytes), (text) => new TextEncoder().encode(text))
const stringHeader = (value: string) => ({ type: 'string' as const, value })

/** One ConverseStream event frame, with the `p` padding field Bedrock adds to payloads. */
export function encodeEventFrame(eventType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: { ':event-type': stringHeader(eventType), ':content-type': stringHeader('application/json'), ':message-type': stringHeader('event') },
    body: new TextEncoder().encode(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ' })),
  })
}

export function encodeExceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': stringHeader(exceptionType), ':content-type': stringHeader('application/json'), ':message-type': stringHeader('exception') },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  })
}

/** The event frames of one ConverseStream answer, in Bedrock's order. */
export function converseStreamFrames(scenario: BedrockScenario): Uint8Array[] {
  const frames = [encodeEventFrame('messageStart', { role: 'assistant' })]
  let block = 0
  if (scenario.text.length > 0) {
    for (const text of scenario.text) frames.push(encodeEventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text } }))
    frames.push(encodeEventFrame('contentBlockStop', { contentBlockIndex: block++ }))
  }
  if (scenario.toolUse) {
    const { toolUseId, name, input, inputChunks } = scenario.toolUse
    frames.push(encodeEventFrame('contentBlockStart', { contentBlockIndex: block, start: { toolUse: { toolUseId, name } } }))
    for (const piece of splitText(JSON.stringify(input), inputChunks)) frames.push(encodeEventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input: piece } } }))
    frames.push(encodeEventFrame('contentBlockStop', { contentBlockIndex: block++ }))
  }
  frames.push(encodeEventFrame('messageStop', { stopReason: scenario.stopReason }))
  frames.push(encodeEventFrame('metadata', { usage: scenario.usage, metrics: { latencyMs: 321 } }))
  return frames
}

export function converseResponse(scenario: BedrockScenario) {
  const content: unknown[] = []
  if (scenario.text.length > 0) content.push({ text: scenario.text.join('') })
  if (scenario.toolUse) content.push({ toolUse: { toolUseId: scenario.toolUse.toolUseId, name: scenario.toolUse.name, input: scenario.toolUse.input } })
  return { output: { message: { role: 'assistant', content } }, stopReason: scenario.stopReason, usage: scenario.usage, metrics: { latencyMs: 321 } }
}

function splitText(text: string, pieces: number): string[] {
  const size = Math.ceil(text.length / pieces)
  return Array.from({ length: pieces }, (_, i) => text.slice(i * size, (i + 1) * size)).filter((piece) => piece !== '')
}

function awsError(status: number, type: string, message: string): Response {
  return Response.json({ message }, { status, headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': crypto.randomUUID() } })
}

export function startMockBedrock(credentials: Record<string, string>): MockBedrock {
  const secrets = new Map(Object.entries(credentials))
  const mock: MockBedrock = {
    url: '',
    requests: [],
    rejected: [],
    scenario: structuredClone(DEFAULT_BEDROCK_SCENARIO),
    cancelledStreams: 0,
    reset() {
      mock.requests.length = 0
      mock.rejected.length = 0
      mock.scenario = structuredClone(DEFAULT_BEDROCK_SCENARIO)
      mock.cancelledStreams = 0
    },
    stop() {
      server.stop(true)
    },
  }

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 60,
    async fetch(request) {
      const raw = request.url.slice(request.url.indexOf('/', 'http://'.length))
      const [rawPath = '', rawQuery = ''] = raw.split('?', 2)
      const body = new Uint8Array(await request.arrayBuffer())
      const verified = verifySigV4({ method: request.method, rawPath, rawQuery, headers: request.headers, body }, secrets)
      if ('error' in verified) {
        mock.rejected.push(verified.error)
        return awsError(403, verified.type, verified.error)
      }
      const route = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(rawPath)
      if (request.method !== 'POST' || route === null) return awsError(404, 'UnknownOperationException', 'Unknown operation')
      mock.requests.push({ method: request.method, path: rawPath, headers: Object.fromEntries(request.headers), body: JSON.parse(new TextDecoder().decode(body)), signedBy: verified })

      const scenario = mock.scenario
      if (scenario.error) return awsError(scenario.error.status, scenario.error.type, scenario.error.message)
      const requestId = crypto.randomUUID()
      if (route[2] === 'converse') return Response.json(converseResponse(scenario), { headers: { 'x-amzn-requestid': requestId } })

      let frames = converseStreamFrames(scenario)
      if (scenario.exception) {
        frames = [...frames.slice(0, scenario.exception.afterFrames), encodeExceptionFrame(scenario.exception.type, scenario.exception.message)]
      }
      const writes = scenario.writeBytes > 0 ? cut(Buffer.concat(frames), scenario.writeBytes) : frames
      let index = 0
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (index > 0 && scenario.writeDelayMs) await Bun.sleep(scenario.writeDelayMs)
          if (index >= writes.length) return controller.close()
          controller.enqueue(writes[index++]!)
        },
        cancel() {
          mock.cancelledStreams++
        },
      })
      return new Response(stream, { headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId } })
    },
  })
  mock.url = `http://127.0.0.1:${server.port}`
  return mock
}

function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.slice(at, at + size))
  return pieces
}
