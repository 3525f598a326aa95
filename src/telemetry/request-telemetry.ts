import type { WireFormat } from '../http/wire-format'
import type { BodyEnd, BodyObserver } from '../streaming/body-tap'
import type { Pricing } from './pricing'
import type { RequestRecord, RoutingMetadata, TokenCounts } from './request-record'
import { UNKNOWN_TOKENS } from './request-record'
import { createResponseObserver, type ObservedResponse } from './response/response-observer'

export interface RecordContext {
  serviceVersion: string
  deploymentEnvironment: string
  maxPayloadBytes: number
  pricing: Pricing
  /** Receives every finished request exactly once. */
  emit(finished: FinishedRequest): void
}

/**
 * What a finished request comes to: the facts the metrics count, and its telemetry document,
 * built from the same facts only when something ships it. Without Elasticsearch nothing does;
 * building it anyway (a nested record, seven header reads) cost about 1–2 µs a JSON request
 * (`npm run bench`, json-c32, four A/B runs).
 */
export interface FinishedRequest {
  /** The request id. */
  readonly id: string
  readonly provider: string | null
  readonly model: string | null
  /** The model's name in the price table; null when it has no price. */
  readonly pricedModel: string | null
  readonly statusCode: number
  readonly isError: boolean
  /** Whole milliseconds, as in the document. */
  readonly latencyMs: number
  readonly providerLatencyMs: number | null
  readonly ttftMs: number | null
  readonly tokens: TokenCounts
  readonly cost: number | null
  /** The RequestRecord; built on the first call, the same object after. */
  document(): RequestRecord
}

/**
 * JSON answers up to this size are parsed for their usage whatever TELEMETRY_MAX_PAYLOAD_BYTES
 * says (that bounds what the document stores): a long completion or a batch of embeddings past
 * 64 KiB lost its tokens and cost. The proxy reads answers of this size whole anyway
 * (WHOLE_BODY_MAX_BYTES), so the bytes are in memory already.
 */
const USAGE_READ_MAX_BYTES = 4 * 1024 * 1024

/**
 * Paths whose answers carry credentials (a Realtime session's `client_secret`, an admin API's new
 * keys): their payloads are never stored, so no key reaches a document.
 */
const SECRET_BEARING_PATHS = ['/v1/realtime/', '/v1/organization/']

const WITHHELD = { withheld: 'this path answers with credentials' }

/** The gateway's own failures, by the error type that goes into the record. */
export interface GatewayFailure {
  status: number
  type: string
  /** Bytes of the error body the gateway answered with; 0 when nobody received it. */
  responseSize?: number
}

/**
 * Collects the facts of one request as the proxy learns them, and turns them into one
 * RequestRecord when the response has fully ended (stream included). Finishing twice is
 * impossible: the first `fail` or body end wins.
 */
export class RequestTelemetry {
  provider: string | null = null
  requestModel: string | null = null
  requestJson: unknown = null
  requestSize = 0
  stream = false
  providerLatencyMs: number | null = null
  providerStatus: number | null = null
  /** Set by routing for alias requests. */
  routing: RoutingMetadata | null = null
  /** What the request's translation for the provider had to leave out. */
  warnings: string[] = []
  /** Called with the finished request (routing counts tokens against rate limits with it). */
  onFinish: ((finished: FinishedRequest) => void) | null = null
  private readonly startedAtEpoch = Date.now()
  private upstreamSentAt: number | null = null
  private upstreamAnsweredAt: number | null = null
  private respondedAt: number | null = null
  private finished = false
  /** The size of an answer the gateway wrote itself; the observer counts upstream answers. */
  private gatewayAnswerSize = 0

  constructor(
    private readonly context: RecordContext,
    readonly id: string,
    private readonly method: string,
    private readonly path: string,
    private readonly headers: Headers,
    private readonly startedAt: number,
  ) {}

  /** The first attempt counts: retries and their backoff are upstream time, not the gateway's. */
  upstreamSent(): void {
    this.upstreamSentAt ??= performance.now()
  }

  upstreamAnswered(status: number, latencyMs: number): void {
    this.upstreamAnsweredAt = performance.now()
    this.providerStatus = status
    this.providerLatencyMs = latencyMs
  }

  /** The upstream's answer was read whole before the gateway answered: its transfer was the upstream's time, not the gateway's. */
  upstreamBodyRead(): void {
    this.upstreamAnsweredAt = performance.now()
  }

  /** The gateway handed its Response to the server: the end of its own work before the body. */
  responded(): void {
    this.respondedAt = performance.now()
  }

  /** An error the gateway answered itself (bad input, unreachable upstream, timeouts, client gone). */
  fail(failure: GatewayFailure): void {
    if (this.finished) return
    this.gatewayAnswerSize = failure.responseSize ?? 0
    this.finish({ statusCode: failure.status, errorType: failure.type, observed: null })
  }

  /** Watches the body the client receives and finishes the record when it ends. */
  observeBody(format: WireFormat, eventStream: boolean): BodyObserver {
    return createResponseObserver({
      format,
      eventStream,
      startedAt: this.startedAt,
      maxCollectBytes: Math.max(this.context.maxPayloadBytes, USAGE_READ_MAX_BYTES),
      onDone: (observed) => this.finish({ statusCode: this.providerStatus ?? 200, errorType: null, observed }),
    })
  }

  private finish({ statusCode, errorType, observed }: { statusCode: number; errorType: string | null; observed: ObservedResponse | null }): void {
    if (this.finished) return
    this.finished = true
    const now = performance.now()
    const summary = observed?.summary ?? null
    const bodyError = observed === null ? null : bodyErrorType(observed.end, observed.truncated)
    if (bodyError !== null) errorType = bodyError
    if (bodyError === 'client_abort') statusCode = 499

    const upstreamFailed = this.providerStatus !== null && this.providerStatus >= 400
    const providerErrorType = summary?.error?.type ?? (upstreamFailed ? `http_${this.providerStatus}` : null)
    if (errorType === null && upstreamFailed) errorType = 'provider_error'
    if (errorType === null && summary?.error) errorType = 'provider_stream_error'
    const isError = errorType !== null || statusCode >= 400

    const model = summary?.model ?? this.requestModel
    const tokens: TokenCounts = summary?.tokens ?? UNKNOWN_TOKENS
    const match = this.provider === null ? null : this.context.pricing.find(this.provider, model)
    let document: RequestRecord | undefined
    const finished: Facts = {
      id: this.id,
      provider: this.provider,
      model,
      pricedModel: match?.model ?? null,
      statusCode,
      isError,
      // Unrounded for the metrics' histograms (a 5.4 ms request is not ≤ 5 ms); the document rounds.
      latencyMs: now - this.startedAt,
      providerLatencyMs: this.providerLatencyMs,
      ttftMs: observed?.ttftMs ?? null,
      tokens,
      cost: match === null ? null : this.context.pricing.cost(tokens, match.price),
      errorType,
      providerErrorType,
      gatewayOverheadMs: round3(this.overheadMs(now)),
      observed,
      document: () => (document ??= this.document(finished)),
    }
    this.context.emit(finished)
    try {
      this.onFinish?.(finished)
    } catch {}
  }

  /** The document of a finished request: its facts, the request's own, and the client's ids. */
  private document(facts: Facts): RequestRecord {
    const { maxPayloadBytes } = this.context
    const { observed } = facts
    const summary = observed?.summary ?? null
    const h = this.headers
    const projectId = headerValue(h, 'x-project-id')
    const withheld = SECRET_BEARING_PATHS.some((prefix) => this.path.startsWith(prefix))
    const record: RequestRecord = {
      timestamp: isoTimestamp(this.startedAtEpoch),
      resource: { 'service.name': 'ai-gateway', 'service.version': this.context.serviceVersion, 'deployment.environment': this.context.deploymentEnvironment },
      name: 'ai_gateway_request_log',
      attributes: {
        id: this.id,
        thread_id: headerValue(h, 'x-thread-id'),
        org_id: headerValue(h, 'x-org-id') ?? headerValue(h, 'x-organization-id') ?? headerValue(h, 'x-organisation-id'),
        user_id: headerValue(h, 'x-user-id'),
        project_id: projectId,
        provider: facts.provider,
        model: facts.model,
        request: withheld ? WITHHELD : this.requestSize <= maxPayloadBytes ? this.requestJson : { truncated: true, size: this.requestSize },
        response: observed === null ? null : withheld ? WITHHELD : observed.size <= maxPayloadBytes ? summary!.payload : { truncated: true, size: observed.size },
        metadata: {
          project_id: projectId,
          project_name: headerValue(h, 'x-project-name'),
          latency: Math.round(facts.latencyMs),
          tokens: facts.tokens,
          cost: facts.cost,
          status: facts.isError ? 'error' : 'success',
          path: this.path,
          method: this.method,
          request_size: this.requestSize,
          response_size: observed?.size ?? this.gatewayAnswerSize,
          provider_latency: facts.providerLatencyMs === null ? null : Math.round(facts.providerLatencyMs),
          status_code: facts.statusCode,
          provider_status_code: this.providerStatus,
          error_count: facts.isError ? 1 : 0,
          error_type: facts.errorType,
          provider_error_count: facts.providerErrorType === null ? 0 : 1,
          provider_error_type: facts.providerErrorType,
          ttft_ms: facts.ttftMs === null ? null : Math.round(facts.ttftMs),
          gateway_overhead_ms: facts.gatewayOverheadMs,
          stream: this.stream,
          finish_reason: summary?.finishReason ?? null,
          finish_reason_raw: summary?.finishReasonRaw ?? null,
          warnings: this.warnings,
        },
      },
    }
    if (this.routing !== null) record.attributes.metadata.routing = this.routing
    return record
  }

  /** Time spent in the gateway itself: before the upstream call, and from its headers to our Response. */
  private overheadMs(now: number): number {
    if (this.upstreamSentAt === null) return now - this.startedAt
    const before = this.upstreamSentAt - this.startedAt
    const after = this.upstreamAnsweredAt !== null && this.respondedAt !== null ? this.respondedAt - this.upstreamAnsweredAt : 0
    return before + after
  }
}

/** A finished request with what its document needs beyond what its RequestTelemetry holds. */
interface Facts extends FinishedRequest {
  errorType: string | null
  providerErrorType: string | null
  gatewayOverheadMs: number
  observed: ObservedResponse | null
}

function bodyErrorType(end: BodyEnd, truncated: boolean): string | null {
  switch (end.kind) {
    case 'complete':
      return truncated ? 'upstream_stream_truncated' : null
    case 'client_abort':
      return 'client_abort'
    case 'idle_timeout':
      return 'upstream_idle_timeout'
    case 'upstream_error':
      return 'upstream_stream_error'
  }
}

let lastEpochMs = Number.NaN
let lastIso = ''

/** Requests under load share their millisecond: one `toISOString` (0.55 µs in a profile) serves them all. */
function isoTimestamp(epochMs: number): string {
  if (epochMs !== lastEpochMs) {
    lastEpochMs = epochMs
    lastIso = new Date(epochMs).toISOString()
  }
  return lastIso
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g

/** Client-supplied ids: bounded and free of control characters before they reach a document. */
function headerValue(headers: Headers, name: string): string | null {
  const value = headers.get(name)?.replace(CONTROL_CHARACTERS, '').slice(0, 256)
  return value === undefined || value === '' ? null : value
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000
}
