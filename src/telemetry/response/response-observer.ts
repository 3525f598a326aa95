import type { WireFormat } from '../../providers/types'
import type { BodyEnd, BodyObserver } from '../../streaming/body-tap'
import { createSseParser } from '../../streaming/sse-parser'
import { createAnthropicStreamAssembler } from './anthropic-stream-assembler'
import { createOpenAIStreamAssembler } from './openai-stream-assembler'
import { EMPTY_SUMMARY, parseJson, type ResponseSummary } from './response-summary'
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
  /** Past this many bytes a JSON body is no longer kept (its usage is then unknown); streams are never kept. */
  maxCollectBytes: number
  onDone(observed: ObservedResponse): void
}

/** Watches a response body on its way to the client and summarises it once it has ended. */
export function createResponseObserver(options: ResponseObserverOptions): BodyObserver {
  return options.eventStream ? observeEventStream(options) : observeJson(options)
}

/**
 * Event streams are parsed as they pass: holding every chunk until the end cost ~120 MB more
 * RSS at 1,000 open streams (scripts/bench). The parser keeps only an unfinished line, the
 * assembler only the message so far.
 */
function observeEventStream({ format, startedAt, onDone }: ResponseObserverOptions): BodyObserver {
  const assembler = format === 'anthropic' ? createAnthropicStreamAssembler() : createOpenAIStreamAssembler()
  const parser = createSseParser((event) => assembler.event(event))
  let size = 0
  let ttftMs: number | null = null
  return {
    chunk(bytes) {
      size += bytes.byteLength
      parser.push(bytes)
      if (ttftMs === null && assembler.sawContent) ttftMs = performance.now() - startedAt
    },
    end(how) {
      const clean = parser.end()
      onDone({ summary: assembler.summary(), size, ttftMs, end: how, truncated: !clean || !assembler.closed })
    },
  }
}

/** A JSON body is kept by reference (no copy) and parsed once the client has it; past the cap, only counted. */
function observeJson({ format, maxCollectBytes, onDone }: ResponseObserverOptions): BodyObserver {
  let chunks: Uint8Array[] | null = []
  let size = 0
  return {
    chunk(bytes) {
      size += bytes.byteLength
      if (chunks === null) return
      chunks.push(bytes)
      if (size > maxCollectBytes) chunks = null
    },
    end(how) {
      const body = chunks === null || chunks.length === 0 ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      const summary = body === null ? EMPTY_SUMMARY : summarizeJsonResponse(parseJson(new TextDecoder().decode(body)), format)
      onDone({ summary, size, ttftMs: null, end: how, truncated: false })
    },
  }
}
