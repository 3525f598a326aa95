import { gzipSync } from 'node:zlib'

/**
 * A real HTTP server on loopback that answers like OpenAI's Chat Completions API:
 * the same JSON, the same SSE framing (`data: {...}\n\n`, then `data: [DONE]\n\n`),
 * the same error bodies. Tests steer it through `scenario` before each request.
 */
export interface MockScenario {
  /** Text split into this many content chunks when streaming. */
  chunks: number
  /** Delay before the response headers. */
  headerDelayMs: number
  /** Delay between stream chunks. */
  chunkDelayMs: number
  /** Silence after the first content chunk (for idle-timeout tests). */
  silenceAfterFirstChunkMs: number
  /** Status and OpenAI-shaped error to answer with instead of a completion. */
  error?: { status: number; message: string; type: string; code: string | null }
  /** Compress the JSON answer with gzip. */
  gzip: boolean
  /** Kill the stream after this many content chunks (socket closed, no [DONE]). */
  dieAfterChunks?: number
  /** Hold every response until this many requests wait at once (proves they were not queued). */
  barrier?: number
  /** Headers of the error answer (`retry-after`). */
  errorHeaders?: Record<string, string>
}

export interface RecordedRequest {
  /** performance.now() when it arrived. */
  at: number
  method: string
  path: string
  search: string
  headers: Record<string, string>
  body: string
}

export const DEFAULT_SCENARIO: MockScenario = {
  chunks: 5,
  headerDelayMs: 0,
  chunkDelayMs: 0,
  silenceAfterFirstChunkMs: 0,
  gzip: false,
}

export const MOCK_MODEL = 'gpt-4o-mini-2024-07-18'
export const MOCK_USAGE = { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } }

export function chunkTexts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `word${i} `)
}

export interface MockOpenAI {
  url: string
  requests: RecordedRequest[]
  scenario: MockScenario
  /** Streams whose client went away before the end (the gateway cancelled them). */
  cancelledStreams: number
  /** Requests whose client (the gateway) went away before they were answered. */
  abandonedRequests: number
  /** Most requests waiting at the barrier at the same time. */
  peakConcurrency: number
  reset(): void
  stop(): void
}

export function startMockOpenAI(): MockOpenAI {
  const encoder = new TextEncoder()
  let waiting = 0
  let releaseBarrier: (() => void) | undefined
  let barrierReached: Promise<void> | undefined

  const mock: MockOpenAI = {
    url: '',
    requests: [],
    scenario: { ...DEFAULT_SCENARIO },
    cancelledStreams: 0,
    abandonedRequests: 0,
    peakConcurrency: 0,
    reset() {
      mock.requests.length = 0
      mock.scenario = { ...DEFAULT_SCENARIO }
      mock.cancelledStreams = 0
      mock.abandonedRequests = 0
      mock.peakConcurrency = 0
      barrierReached = undefined
      waiting = 0
    },
    stop() {
      server.stop(true)
    },
  }

  const waitForBarrier = async (size: number) => {
    if (barrierReached === undefined) barrierReached = new Promise<void>((resolve) => (releaseBarrier = resolve))
    waiting++
    mock.peakConcurrency = Math.max(mock.peakConcurrency, waiting)
    if (waiting >= size) releaseBarrier!()
    await barrierReached
  }

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 60,
    async fetch(request) {
      const url = new URL(request.url)
      let answered = false
      request.signal.addEventListener('abort', () => {
        if (!answered) mock.abandonedRequests++
      })
      const body = await request.text()
      mock.requests.push({ at: performance.now(), method: request.method, path: url.pathname, search: url.search, headers: Object.fromEntries(request.headers), body })
      const scenario = mock.scenario
      if (scenario.barrier) await waitForBarrier(scenario.barrier)
      if (scenario.headerDelayMs) await Bun.sleep(scenario.headerDelayMs)
      answered = true
      if (scenario.error) {
        const { status, ...error } = scenario.error
        return Response.json({ error: { ...error, param: null } }, { status, headers: scenario.errorHeaders })
      }
      const json = body ? JSON.parse(body) : {}
      if (!json.stream) {
        const payload = JSON.stringify(completion(chunkTexts(scenario.chunks).join('')))
        if (scenario.gzip) return new Response(gzipSync(payload), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
        return new Response(payload, { headers: { 'content-type': 'application/json' } })
      }
      const includeUsage = json.stream_options?.include_usage === true
      const events = streamEvents(scenario.chunks, includeUsage)
      let index = 0
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (index > 0 && scenario.chunkDelayMs) await Bun.sleep(scenario.chunkDelayMs)
          if (index === 2 && scenario.silenceAfterFirstChunkMs) await Bun.sleep(scenario.silenceAfterFirstChunkMs)
          if (scenario.dieAfterChunks !== undefined && index === scenario.dieAfterChunks + 1) {
            controller.error(new Error('mock upstream died'))
            return
          }
          if (index >= events.length) {
            controller.close()
            return
          }
          controller.enqueue(encoder.encode(events[index++]))
        },
        cancel() {
          mock.cancelledStreams++
        },
      })
      return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_mock123' } })
    },
  })
  mock.url = `http://127.0.0.1:${server.port}`
  return mock
}

const CREATED = 1_732_700_000

export function completion(content: string) {
  return {
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created: CREATED,
    model: MOCK_MODEL,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: MOCK_USAGE,
  }
}

/** The SSE events of one streamed completion, each a complete `data: ...\n\n` frame. */
export function streamEvents(chunks: number, includeUsage: boolean): string[] {
  const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: CREATED, model: MOCK_MODEL, system_fingerprint: 'fp_mock' }
  const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`
  const events = [frame({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }] })]
  for (const text of chunkTexts(chunks)) events.push(frame({ ...base, choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }] }))
  events.push(frame({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }))
  if (includeUsage) events.push(frame({ ...base, choices: [], usage: MOCK_USAGE }))
  events.push('data: [DONE]\n\n')
  return events
}
