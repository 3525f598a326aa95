/**
 * A real HTTP server on loopback that answers like Anthropic's Messages API: the same JSON
 * message, the same SSE events (`event:` line, `data:` line, blank line), the same error
 * bodies, and the same header checks (an API key, anthropic-version). Tests steer it through
 * `scenario` before each request.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { RecordedRequest } from './mock-openai'

export type MockBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

export interface AnthropicScenario {
  content: MockBlock[]
  stopReason: string
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number }
  /** Status and Anthropic error to answer with instead of a message. */
  error?: { status: number; type: string; message: string }
  /** Streams: send an `error` event after this many content deltas, then end. */
  errorEventAfterDeltas?: number
  /** Streams: kill the connection after this many events (no message_stop). */
  dieAfterEvents?: number
  /** Streams: pause between events. */
  eventDelayMs: number
}

export const DEFAULT_ANTHROPIC_SCENARIO: AnthropicScenario = {
  content: [{ type: 'text', text: 'Hello from the mock Claude!' }],
  stopReason: 'end_turn',
  usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 },
  eventDelayMs: 0,
}

export const MOCK_MESSAGE_ID = 'msg_01MockXFDUDzJgXEZfw4d7'

export interface MockAnthropic {
  url: string
  requests: RecordedRequest[]
  /** The exact bytes of each answer, in request order. */
  sent: string[]
  scenario: AnthropicScenario
  cancelledStreams: number
  reset(): void
  stop(): void
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_mock_error' })

export function startMockAnthropic(): MockAnthropic {
  const encoder = new TextEncoder()
  const mock: MockAnthropic = {
    url: '',
    requests: [],
    sent: [],
    scenario: structuredClone(DEFAULT_ANTHROPIC_SCENARIO),
    cancelledStreams: 0,
    reset() {
      mock.requests.length = 0
      mock.sent.length = 0
      mock.scenario = structuredClone(DEFAULT_ANTHROPIC_SCENARIO)
      mock.cancelledStreams = 0
    },
    stop() {
      server.stop(true)
    },
  }

  const json = (body: unknown, status = 200) => {
    const text = JSON.stringify(body)
    mock.sent.push(text)
    return new Response(text, { status, headers: { 'content-type': 'application/json', 'request-id': 'req_mock01' } })
  }

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 60,
    async fetch(request) {
      const url = new URL(request.url)
      const text = await request.text()
      mock.requests.push({ at: performance.now(), method: request.method, path: url.pathname, search: url.search, headers: Object.fromEntries(request.headers), body: text })
      if (url.pathname !== '/v1/messages' || request.method !== 'POST') return json(errorBody('not_found_error', 'Not found'), 404)
      // API keys come as x-api-key, or as a Bearer token (what @anthropic-ai/sdk 1.x sends).
      if (!request.headers.get('x-api-key') && !request.headers.get('authorization')?.startsWith('Bearer ')) {
        return json(errorBody('authentication_error', 'x-api-key header is required'), 401)
      }
      if (!request.headers.get('anthropic-version')) return json(errorBody('invalid_request_error', 'anthropic-version: header is required'), 400)
      let body: { model?: unknown; max_tokens?: unknown; messages?: unknown; stream?: unknown }
      try {
        body = JSON.parse(text)
      } catch {
        return json(errorBody('invalid_request_error', 'Request body is not valid JSON'), 400)
      }
      if (typeof body.model !== 'string') return json(errorBody('invalid_request_error', 'model: Field required'), 400)
      if (typeof body.max_tokens !== 'number') return json(errorBody('invalid_request_error', 'max_tokens: Field required'), 400)
      if (!Array.isArray(body.messages)) return json(errorBody('invalid_request_error', 'messages: Field required'), 400)

      const scenario = mock.scenario
      if (scenario.error) return json(errorBody(scenario.error.type, scenario.error.message), scenario.error.status)
      if (body.stream !== true) return json(mockMessage(scenario, body.model))

      const events = mockStreamEvents(scenario, body.model)
      mock.sent.push(events.join(''))
      let index = 0
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (index > 0 && scenario.eventDelayMs) await Bun.sleep(scenario.eventDelayMs)
          if (scenario.dieAfterEvents !== undefined && index === scenario.dieAfterEvents) return controller.error(new Error('mock upstream died'))
          if (index >= events.length) return controller.close()
          controller.enqueue(encoder.encode(events[index++]))
        },
        cancel() {
          mock.cancelledStreams++
        },
      })
      return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_mock01' } })
    },
  })
  mock.url = `http://127.0.0.1:${server.port}`
  return mock
}

export function mockMessage(scenario: AnthropicScenario, model: string) {
  return {
    id: MOCK_MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    model,
    content: scenario.content,
    stop_reason: scenario.stopReason,
    stop_sequence: null,
    usage: scenario.usage,
  }
}

/** One streamed message as Anthropic frames it: one string per event, in order. */
export function mockStreamEvents(scenario: AnthropicScenario, model: string): string[] {
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = scenario.usage
  const events = [
    event('message_start', {
      message: { ...mockMessage(scenario, model), content: [], stop_reason: null, usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens: 1 } },
    }),
    event('ping', {}),
  ]
  let deltas = 0
  const delta = (index: number, data: object) => {
    if (deltas++ === scenario.errorEventAfterDeltas) return false
    events.push(event('content_block_delta', { index, delta: data }))
    return true
  }
  for (const [index, block] of scenario.content.entries()) {
    if (block.type === 'text') {
      events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }))
      for (const word of block.text.split(/(?<= )/)) if (!delta(index, { type: 'text_delta', text: word })) return withError(events)
    } else {
      events.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }))
      const input = JSON.stringify(block.input)
      const third = Math.ceil(input.length / 3)
      for (const part of ['', input.slice(0, third), input.slice(third, 2 * third), input.slice(2 * third)]) {
        if (!delta(index, { type: 'input_json_delta', partial_json: part })) return withError(events)
      }
    }
    events.push(event('content_block_stop', { index }))
  }
  events.push(event('message_delta', { delta: { stop_reason: scenario.stopReason, stop_sequence: null }, usage: { output_tokens } }))
  events.push(event('message_stop', {}))
  return events

  function withError(sofar: string[]) {
    sofar.push(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }))
    return sofar
  }
}
