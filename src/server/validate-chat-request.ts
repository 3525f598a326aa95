import { GatewayError } from './errors'

/** The routes whose bodies the gateway reads (model, stream) and translates: both need a model and messages. */
const CHAT_PATHS = new Set(['/v1/chat/completions', '/v1/messages'])

/**
 * Refuses a chat request that no provider could answer, before anything goes upstream:
 * a translation would otherwise fail half-way, and a pass-through would spend a round trip
 * on a certain 400. Only the shape the gateway relies on is checked; the provider judges the rest.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 * @see https://docs.anthropic.com/en/api/messages
 */
export function validateChatRequest(method: string, path: string, json: Record<string, unknown> | undefined): void {
  if (method !== 'POST' || !CHAT_PATHS.has(path)) return
  if (json === undefined) throw invalid('Request body must be a JSON object with "model" and "messages"', 'invalid_json')
  if (typeof json.model !== 'string' || json.model.length === 0) throw invalid('"model" must be a non-empty string', 'invalid_model')
  // A lone surrogate cannot be percent-encoded into a URL (Bedrock's) or a header.
  if (!json.model.isWellFormed()) throw invalid('"model" must be well-formed Unicode', 'invalid_model')
  if (!Array.isArray(json.messages)) throw invalid('"messages" must be an array', 'invalid_messages')
  if (json.stream !== undefined && json.stream !== null && typeof json.stream !== 'boolean') throw invalid('"stream" must be a boolean', 'invalid_stream')
}

function invalid(message: string, code: string): GatewayError {
  return new GatewayError(400, 'invalid_request', code, message)
}
