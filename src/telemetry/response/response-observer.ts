import type { WireFormat } from '../../providers/types'
import type { BodyEnd, BodyObserver } from '../../streaming/body-tap'
import { createSseParser, type SseParser } from '../../streaming/sse-parser'
import { createAnthropicStreamAssembler } from './anthropic-stream-assembler'
import { createOpenAIStreamAssembler } from './openai-stream-assembler'
import { EMPTY_SUMMARY, parseJson, type ResponseSummary, type StreamAssembler } from './response-summary'
import { summarizeJsonResponse } from './summarize-json-response'

export interface ObservedResponse {
  summary: ResponseSummary
  /** Bytes sent to the client. */
  size: number
  /** ms after `startedAt` at which the first content chunk arrived; null for non-streams. */
  ttftMs: number | null
  end: BodyEnd
  /** An event stream that ended without its closing event: cut mid-event, or before `[DONE]`/`message_stop`. */
  truncated: boolean
}

export interface ResponseObserverOptions {
  format: WireFormat
  eventStream: boolean
  /** performance.now() at the start of the request. */
  startedAt: number
  /** Past this many bytes a JSON body is no longer kept (its usage is then unknown). */
  maxCollectBytes: number
  onDone(observed: ObservedResponse): void
}

/**
 * Watches a response body on its way to the client. While the body streams, it only keeps
 * references to the chunks and their arrival times (no copy, no decoding); the parsing
 * happens once the client has the last byte. A stream that outgrows `maxCollectBytes` is
 * parsed incrementally from then on, so its usage is never lost.
 */
export function createResponseObserver(options: ResponseObserverOptions): BodyObserver {
  const { format, eventStream, startedAt, maxCollectBytes, onDone } = options
  let chunks: Uint8Array[] = []
  let arrivals: number[] = []
  let size = 0
  let collecting = true
  let incremental: { parser: SseParser; assembler: StreamAssembler; ttftMs: number | null } | undefined

  const startIncremental = () => {
    const assembler = assemblerFor(format)
    const parser = createSseParser((event) => assembler.event(event))
    incremental = { parser, assembler, ttftMs: null }
    for (let i = 0; i < chunks.length; i++) feed(chunks[i]!, arrivals[i]!)
    chunks = []
    arrivals = []
  }
  const feed = (chunk: Uint8Array, at: number) => {
    incremental!.parser.push(chunk)
    if (incremental!.ttftMs === null && incremental!.assembler.sawContent) incremental!.ttftMs = at - startedAt
  }

  return {
    chunk(bytes) {
      size += bytes.byteLength
      if (incremental !== undefined) return feed(bytes, performance.now())
      if (!collecting) return
      chunks.push(bytes)
      arrivals.push(performance.now())
      if (size > maxCollectBytes) {
        if (eventStream) startIncremental()
        else ((collecting = false), (chunks = []), (arrivals = []))
      }
    },
    end(how) {
      if (!eventStream) {
        const summary = collecting && chunks.length > 0 ? summarizeJsonResponse(parseJson(new TextDecoder().decode(Buffer.concat(chunks))), format) : EMPTY_SUMMARY
        return onDone({ summary, size, ttftMs: null, end: how, truncated: false })
      }
      if (incremental === undefined) startIncremental()
      const clean = incremental!.parser.end()
      onDone({ summary: incremental!.assembler.summary(), size, ttftMs: incremental!.ttftMs, end: how, truncated: !clean || !incremental!.assembler.closed })
    },
  }
}

function assemblerFor(format: WireFormat): StreamAssembler {
  return format === 'anthropic' ? createAnthropicStreamAssembler() : createOpenAIStreamAssembler()
}
