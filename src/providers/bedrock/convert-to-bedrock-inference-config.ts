import type { InferenceConfig } from './bedrock-api'
import { refuse, type Converted } from './conversion'

/**
 * OpenAI sampling parameters as a Converse inferenceConfig.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
 */
export function convertToBedrockInferenceConfig(body: Record<string, unknown>): Converted<InferenceConfig | undefined> {
  const config: InferenceConfig = {}
  const warnings: string[] = []

  // max_tokens is deprecated in OpenAI's API in favour of max_completion_tokens; both mean the same here.
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxTokens !== undefined && maxTokens !== null) {
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) refuse('`max_completion_tokens` (or `max_tokens`) must be a positive integer', 'invalid_request')
    config.maxTokens = maxTokens as number
  }
  const temperature = body.temperature
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || temperature < 0) refuse('`temperature` must be a number >= 0', 'invalid_request')
    config.temperature = temperature
  }
  const topP = body.top_p
  if (topP !== undefined && topP !== null) {
    if (typeof topP !== 'number' || topP < 0 || topP > 1) refuse('`top_p` must be a number from 0 to 1', 'invalid_request')
    config.topP = topP
  }
  const stop = body.stop
  if (stop !== undefined && stop !== null) {
    const sequences = typeof stop === 'string' ? [stop] : stop
    if (!Array.isArray(sequences) || !sequences.every((s) => typeof s === 'string')) refuse('`stop` must be a string or an array of strings', 'invalid_request')
    if (sequences.length > 0) config.stopSequences = sequences
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) refuse('Bedrock returns one choice per request: `n` must be 1')

  for (const key of IGNORED) {
    if (body[key] !== undefined && body[key] !== null && body[key] !== false) warnings.push(`${key} is not supported by Bedrock's Converse API and was ignored`)
  }
  return { value: Object.keys(config).length === 0 ? undefined : config, warnings }
}

/** OpenAI parameters Converse has no field for: the request is served without them. */
const IGNORED = [
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'response_format',
  'parallel_tool_calls',
  'reasoning_effort',
  'service_tier',
  'prediction',
  'modalities',
  'audio',
  'web_search_options',
] as const
