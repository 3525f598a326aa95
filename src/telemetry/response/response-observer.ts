import type { WireFormat } from '../../http/wire-format'
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
  // An event the assembler cannot read must not end the client's stream nor lose the record:
  // from then on the stream is only counted, and its summary says what was read before.
  let unreadable = false
  return {
    chunk(bytes) {
      size += bytes.byteLength
      if (unreadable) return
      try {
        parser.push(bytes)
      } catch {
        unreadable = true
      }
      if (ttftMs === null && assembler.sawContent) ttftMs = performance.now() - startedAt
    },
    end(how) {
      let clean = false
      let summary = EMPTY_SUMMARY
      try {
        clean = !unreadable && parser.end()
        summary = assembler.summary()
      } catch {}
      onDone({ summary, size, ttftMs, end: how, truncated: !clean || !assembler.closed })
    },
    whole: () => !unreadable && assembler.ended,
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
      // Audio, images and other bytes are only counted: nothing of them is kept once they show it.
      // (Whitespace says nothing yet: OpenRouter keeps a slow answer's connection alive with it.)
      if (jsonStart(bytes) === false && chunks.every(isWhitespace)) chunks = null
      else chunks.push(bytes)
      if (size > maxCollectBytes) chunks = null
    },
    end(how) {
      let summary = EMPTY_SUMMARY
      const body = chunks === null || chunks.length === 0 ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      if (body !== null && jsonStart(body) === true) {
        try {
          summary = summarizeJsonResponse(parseJson(utf8.decode(body)), format)
        } catch {}
      }
      onDone({ summary, size, ttftMs: null, end: how, truncated: false })
    },
  }
}

const utf8 = new TextDecoder()

/** Whether bytes begin, after any whitespace, like JSON (`{` or `[`); null when they hold only whitespace. */
function jsonStart(bytes: Uint8Array): boolean | null {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === 0x7b /* { */ || byte === 0x5b /* [ */) return true
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false
  }
  return null
}

const isWhitespace = (bytes: Uint8Array) => jsonStart(bytes) === null
