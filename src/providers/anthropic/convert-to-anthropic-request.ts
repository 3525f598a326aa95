import { invalidRequest, type Converted } from '../converted'
import type { AnthropicRequest } from './anthropic-api'
import { convertToAnthropicMessages } from './convert-to-anthropic-messages'
import { convertToAnthropicTools } from './convert-to-anthropic-tools'

/**
 * Anthropic requires `max_tokens`; OpenAI clients often leave it out. 4096 is the output
 * limit of the smallest Claude models (Claude 3 Haiku), so the default is valid for every
 * model; clients wanting longer answers set max_tokens or max_completion_tokens themselves.
 * @see https://docs.anthropic.com/en/docs/about-claude/models/overview#model-comparison-table
 */
export const DEFAULT_MAX_TOKENS = 4096

/** Fields read below, or deliberately without effect (`stream_options`: usage is always sent). */
const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'stream_options',
  'user',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'n',
])

/**
 * An OpenAI Chat Completions request body to an Anthropic Messages request body. Fields
 * Anthropic has no place for (penalties, seed, logprobs, response_format, ...) are dropped
 * with a warning each; requests it cannot answer (several choices, audio) are refused.
 * @see https://docs.anthropic.com/en/api/openai-sdk#openai-compatibility-details
 */
export function convertToAnthropicRequest(body: Record<string, unknown> | undefined): Converted<AnthropicRequest> {
  if (body === undefined) throw invalidRequest('The request body must be a JSON object', 'invalid_json')
  const { model } = body
  if (typeof model !== 'string' || model === '') throw invalidRequest('model is required and must be a non-empty string', 'invalid_model')
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalidRequest('n must be 1: Anthropic returns one choice per request')

  const prompt = convertToAnthropicMessages(body.messages)
  const tools = convertToAnthropicTools(body.tools, body.tool_choice, body.parallel_tool_calls)
  const warnings = [...prompt.warnings, ...tools.warnings]
  for (const key in body) {
    if (!TRANSLATED.has(key) && body[key] !== null && body[key] !== undefined) warnings.push(`${key} dropped: Anthropic has no equivalent`)
  }

  const request: AnthropicRequest = {
    model,
    max_tokens: maxTokens(body.max_completion_tokens ?? body.max_tokens),
    ...(prompt.value.system !== undefined && { system: prompt.value.system }),
    messages: prompt.value.messages,
    ...tools.value,
  }
  const stop = stopSequences(body.stop)
  if (stop !== undefined) request.stop_sequences = stop
  const temperature = optionalNumber(body.temperature, 'temperature')
  if (temperature !== undefined) request.temperature = temperature
  const topP = optionalNumber(body.top_p, 'top_p')
  if (topP !== undefined) request.top_p = topP
  if (body.stream !== undefined && body.stream !== null) {
    if (typeof body.stream !== 'boolean') throw invalidRequest('stream must be a boolean', 'invalid_stream')
    request.stream = body.stream
  }
  if (typeof body.user === 'string' && body.user !== '') request.metadata = { user_id: body.user }
  return { value: request, warnings }
}

function maxTokens(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_MAX_TOKENS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidRequest('max_tokens / max_completion_tokens must be a positive integer', 'invalid_max_tokens')
  }
  return value
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined
  if (typeof stop === 'string') return [stop]
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop.length > 0 ? stop : undefined
  throw invalidRequest('stop must be a string or an array of strings', 'invalid_stop')
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`${name} must be a number`, `invalid_${name}`)
  return value
}
