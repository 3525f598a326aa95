import { createSseParser } from '../../../src/streaming/sse-parser'
import { createAnthropicStreamAssembler } from '../../../src/telemetry/response/anthropic-stream-assembler'
import { createOpenAIStreamAssembler } from '../../../src/telemetry/response/openai-stream-assembler'
import type { ResponseSummary } from '../../../src/telemetry/response/response-summary'

/** Network chunks through the real SSE parser into a fresh assembler. */
export function assemble(format: 'openai' | 'anthropic', chunks: Uint8Array[]): { summary: ResponseSummary; clean: boolean; sawContent: boolean } {
  const assembler = format === 'anthropic' ? createAnthropicStreamAssembler() : createOpenAIStreamAssembler()
  const parser = createSseParser((event) => assembler.event(event))
  for (const chunk of chunks) parser.push(chunk)
  const clean = parser.end()
  return { summary: assembler.summary(), clean, sawContent: assembler.sawContent }
}
