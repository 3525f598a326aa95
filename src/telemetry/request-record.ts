/**
 * One telemetry document per request, in the field names of the Rust gateway's
 * Elasticsearch guide, plus the additions listed under `metadata`. Unknown numbers are
 * `null`, never 0: an unpriced model costs `null`, not $0.
 */
export interface RequestRecord {
  timestamp: string
  resource: {
    'service.name': string
    'service.version': string
    'deployment.environment': string
  }
  name: 'ai_gateway_request_log'
  attributes: {
    id: string
    thread_id: string | null
    org_id: string | null
    user_id: string | null
    project_id: string | null
    provider: string | null
    model: string | null
    /** The request payload as received (bounded by TELEMETRY_MAX_PAYLOAD_BYTES). */
    request: unknown
    /** The response payload; for streams the assembled message a non-streamed answer would carry. */
    response: unknown
    metadata: RecordMetadata
  }
}

export interface RecordMetadata {
  project_id: string | null
  project_name: string | null
  /** Whole request in ms, stream included. */
  latency: number
  tokens: TokenCounts
  /** USD; null when the model has no price. */
  cost: number | null
  status: 'success' | 'error'
  path: string
  method: string
  request_size: number
  response_size: number
  /** ms from sending upstream to the upstream's response headers; null when never sent. */
  provider_latency: number | null
  status_code: number
  provider_status_code: number | null
  error_count: number
  error_type: string | null
  provider_error_count: number
  provider_error_type: string | null
  /** ms from the start of the request to the first content chunk of a stream. */
  ttft_ms: number | null
  /** ms the gateway itself spent before and after the upstream call. */
  gateway_overhead_ms: number
  stream: boolean
  finish_reason: string | null
  /** The provider's own finish reason when it differs from the unified one. */
  finish_reason_raw: string | null
  /** What a translation to another provider's API left out of the request (e.g. `seed dropped: ...`); empty when nothing. */
  warnings: string[]
  /** Present when the request named a model alias: which target served and why earlier attempts failed. */
  routing?: RoutingMetadata
}

export interface RoutingMetadata {
  alias: string
  /** null when no target answered. */
  target_provider: string | null
  target_model: string | null
  /** Upstream attempts made, retries and fallbacks included. */
  attempts: number
  failures: RoutingFailure[]
}

export interface RoutingFailure {
  provider: string
  model: string
  /** The upstream's status, or null when it never answered. */
  status: number | null
  /** Why it never answered: connect, first_byte_timeout, ... */
  error: string | null
}

export interface TokenCounts {
  input: number | null
  output: number | null
  total: number | null
  /** Input tokens read from the provider's prompt cache. */
  cached_input: number | null
  /** Input tokens written to the prompt cache (Anthropic). */
  cache_write_input: number | null
  reasoning: number | null
}

export const UNKNOWN_TOKENS: TokenCounts = { input: null, output: null, total: null, cached_input: null, cache_write_input: null, reasoning: null }
