export type { WireFormat } from '../http/wire-format'
import type { AwsSettings } from '../config/load-config'

/** The client's request once the gateway has validated it. Nothing here is re-read from the wire. */
export interface ClientRequest {
  method: string
  /** Validated API path, always starting with `/v1/`. */
  path: string
  /** Query string with its `?`, or ''. */
  search: string
  headers: Headers
  /** The body bytes as received (or as rewritten once by the gateway), null when there is none. */
  body: Uint8Array | null
  /** The body parsed once, when it is a JSON object. */
  json: Record<string, unknown> | undefined
}

export interface UpstreamRequest {
  url: string
  method: string
  headers: Headers
  body: Uint8Array | string | null
  /** What a translation had to leave out of the client's request, for the telemetry record. */
  warnings?: string[]
}

/** Where one provider lives, resolved from configuration (and later from routing). */
export interface ProviderTarget {
  /** Empty when the provider has no base URL configured (Azure has no usable default). */
  baseUrl: string
  /** The API version to ask for when the client names none (`AZURE_OPENAI_API_VERSION`). */
  apiVersion?: string
  /** AWS credentials and region from the settings, for providers that sign with SigV4. */
  aws?: AwsSettings
}

/**
 * A request the provider cannot serve, refused before anything goes upstream. The server
 * answers it with `status` in the client's error shape.
 */
export class ProviderRequestError extends Error {
  constructor(
    readonly status: number,
    /** Stable machine-readable code, e.g. `missing_aws_credentials`. */
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ProviderRequestError'
  }
}


/**
 * One AI provider: data plus small pure functions. Nothing here knows about the HTTP server.
 * A provider that speaks another API than its clients also translates the response back.
 */
export interface Provider {
  readonly id: string
  toUpstream(request: ClientRequest, target: ProviderTarget): UpstreamRequest | Promise<UpstreamRequest>
  fromUpstream?(response: Response, request: ClientRequest): Response
  /** Whether `fromUpstream` changes this request's answer; without it, every answer is translated. */
  translates?(request: ClientRequest): boolean
}
