/**
 * Header hygiene for both directions of the proxy.
 * Hop-by-hop headers describe one connection and must not be forwarded (RFC 9110 §7.6.1).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/**
 * Client headers that an upstream API may need. Everything else stays at the gateway:
 * `host`, cookies, forwarding headers and the gateway's own `x-*` controls.
 */
const CLIENT_HEADERS_TO_FORWARD = [
  'accept',
  'content-type',
  'user-agent',
  'idempotency-key',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'anthropic-version',
  'anthropic-beta',
]

/** The credential header of OpenAI and every API that copies it. */
export const BEARER_CREDENTIALS = ['authorization'] as const

/**
 * Builds the upstream header set from an allow-list of the client's headers, with only the
 * credential headers this provider reads: a client that holds several providers' keys
 * (`x-api-key` for Anthropic, `api-key` for Azure) must not hand one to another provider.
 */
export function forwardedRequestHeaders(client: Headers, credentials: readonly string[]): Headers {
  const upstream = new Headers()
  for (const name of CLIENT_HEADERS_TO_FORWARD) {
    const value = client.get(name)
    if (value !== null) upstream.set(name, value)
  }
  for (const name of credentials) {
    const value = client.get(name)
    if (value !== null) upstream.set(name, value)
  }
  return upstream
}

/**
 * Upstream response headers as the client may see them. Bun's fetch has already decoded
 * any gzip/br/zstd body, so `content-encoding` and `content-length` would now lie.
 * The upstream's own request id is kept under another name: the gateway's id is `x-request-id`.
 */
export function clientResponseHeaders(upstream: Headers, requestId: string): Headers {
  // A native copy and a few deletes: 0.75 µs against 3 µs for a JS loop over every header. The
  // seven CORS names took a 9-header answer's hygiene from 0.58–0.62 to 0.77–0.89 µs (a one-off loop).
  const headers = new Headers(upstream)
  for (const name of NOT_FOR_THE_CLIENT) headers.delete(name)
  const upstreamId = headers.get('x-request-id')
  if (upstreamId !== null) headers.set('x-upstream-request-id', upstreamId)
  headers.set('x-request-id', requestId)
  return headers
}

/**
 * Hop-by-hop headers, the encoding Bun already undid, upstream cookies, and the upstream's CORS
 * answer: which origins may read the gateway is the gateway's to say (CORS_ORIGINS), and an
 * upstream's `access-control-allow-origin: *` would open it with CORS off or bypass its list.
 */
const NOT_FOR_THE_CLIENT = [
  ...HOP_BY_HOP,
  'content-encoding',
  'content-length',
  'set-cookie',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-private-network',
  'access-control-expose-headers',
  'access-control-max-age',
]
