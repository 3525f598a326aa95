import type { UpstreamRequest } from '../providers/types'

export interface ForwardOptions {
  /** The client's signal: aborted when the client goes away. */
  clientSignal: AbortSignal
  firstByteTimeoutMs: number
  fetch?: typeof fetch
}

export type UpstreamFailureKind = 'connect' | 'first_byte_timeout' | 'client_abort' | 'broken_body' | 'idle_timeout' | 'invalid_status'

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
  ) {
    super(message)
    this.name = 'UpstreamFailure'
  }
}

export interface Forwarded {
  status: number
  headers: Headers
  /** The upstream body as it arrives, or null when there is none. */
  body: ReadableStream<Uint8Array> | null
  /** Aborts the upstream request (the idle timeout uses it). */
  abort(reason: Error): void
  /** Milliseconds from sending the request to the upstream's response headers. */
  providerLatencyMs: number
}

/**
 * Sends one request upstream and returns its status, headers and body once the headers
 * arrive. There is no total deadline: a first-byte timeout until the headers, then the
 * caller's idle timeout inside the body, so a slow reasoning model is never cut off while
 * it is still talking.
 */
export async function forward(upstream: UpstreamRequest, options: ForwardOptions): Promise<Forwarded> {
  const { clientSignal, firstByteTimeoutMs } = options
  const controller = new AbortController()
  const abort = (reason: Error) => controller.abort(reason)
  const onClientAbort = () => abort(new UpstreamFailure('client_abort', 'client closed the connection'))
  if (clientSignal.aborted) onClientAbort()
  else clientSignal.addEventListener('abort', onClientAbort, { once: true })

  const firstByteTimer =
    firstByteTimeoutMs > 0
      ? setTimeout(() => abort(new UpstreamFailure('first_byte_timeout', `no answer from upstream within ${firstByteTimeoutMs} ms`)), firstByteTimeoutMs)
      : undefined

  const startedAt = performance.now()
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(upstream.url, {
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body,
      signal: controller.signal,
      redirect: 'manual',
      // Bun's own socket idle timeout (300 s) would cut streams that our idle timeout allows.
      timeout: false,
    } as RequestInit)
  } catch (error) {
    clientSignal.removeEventListener('abort', onClientAbort)
    const reason = controller.signal.reason
    if (reason instanceof UpstreamFailure) throw reason
    throw new UpstreamFailure('connect', `upstream unreachable: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    clearTimeout(firstByteTimer)
  }
  const providerLatencyMs = performance.now() - startedAt

  // Bun's fetch takes any three digits (600, 999) that a Response cannot carry: answering the
  // client with it would throw after the upstream body is wired up, and leave it open.
  if (response.status < 200 || response.status > 599) {
    clientSignal.removeEventListener('abort', onClientAbort)
    abort(new UpstreamFailure('invalid_status', 'invalid status'))
    throw new UpstreamFailure('invalid_status', `upstream answered with status ${response.status}, which is no HTTP status`)
  }
  if (response.body === null) clientSignal.removeEventListener('abort', onClientAbort)
  return { status: response.status, headers: response.headers, body: response.body, abort, providerLatencyMs }
}
