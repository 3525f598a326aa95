import type { CorsSettings } from '../config/load-config'

export interface Cors {
  /** The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`), or null for any other request. */
  preflight(request: Request): Response | null
  /** Adds the CORS headers an allowed origin needs to a Response the gateway built (never to Elysia's `set`). */
  apply(request: Request, response: Response): Response
}

/** Response headers a browser client may read: the ids it reports in bug reports, and rate-limit state. */
const EXPOSED = 'x-request-id, x-upstream-request-id, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests'
const PREFLIGHT_MAX_AGE_SECONDS = '600'

/**
 * CORS for browser clients, off unless CORS_ORIGINS is set. Headers go on the Response the
 * gateway builds: on proxy routes Elysia's `set` would re-stream the body through a text decoder.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function createCors(settings: CorsSettings | null): Cors | null {
  if (settings === null) return null
  const allowAny = settings.origins === '*'
  const allowed = allowAny ? null : new Set(settings.origins)

  const allowOrigin = (origin: string | null): string | null => {
    if (origin === null) return null
    if (allowAny) return '*'
    return allowed!.has(origin) ? origin : null
  }

  return {
    preflight(request) {
      if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return null
      const origin = allowOrigin(request.headers.get('origin'))
      // A refused origin gets no CORS headers: the browser then blocks the real request.
      if (origin === null) return new Response(null, { status: 204, headers: { vary: 'Origin' } })
      const headers = new Headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
        vary: 'Origin',
      })
      // SDKs send their own headers (x-stainless-*, anthropic-version, x-provider): allow what was asked for.
      const requested = request.headers.get('access-control-request-headers')
      if (requested !== null) headers.set('access-control-allow-headers', requested.slice(0, 2048))
      return new Response(null, { status: 204, headers })
    },
    apply(request, response) {
      const origin = allowOrigin(request.headers.get('origin'))
      if (origin === null) return response
      response.headers.set('access-control-allow-origin', origin)
      response.headers.set('access-control-expose-headers', EXPOSED)
      if (!allowAny) response.headers.append('vary', 'Origin')
      return response
    },
  }
}
