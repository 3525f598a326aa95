import OpenAI from 'openai'

/**
 * How an OpenAI SDK stream ended, as one comparable line: `ended cleanly`, or the error's
 * class, message and code. A connection reset is an APIConnectionError, which is an APIError
 * too: the class name tells it apart from an error event the SDK read.
 */
export async function sdkStreamOutcome(stream: AsyncIterable<unknown>): Promise<string> {
  try {
    for await (const _ of stream);
    return 'ended cleanly'
  } catch (error) {
    return error instanceof OpenAI.APIError ? `${error.constructor.name}: ${error.message} (${error.code})` : String(error)
  }
}

/** How many times each outcome occurred. */
export function countEach(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1
  return counts
}
