import type { BodyObserver } from '../streaming/body-tap'
import { UpstreamFailure, type Forwarded } from './forward'

/** Bodies up to this size, of known length and not event streams, are read in one go. */
export const WHOLE_BODY_MAX_BYTES = 4 * 1024 * 1024

/**
 * Whether an answer is a small body of known length that is no event stream: a JSON answer,
 * typically, which its client only uses once it has all of it. A compressed one is not: its
 * length is what came over the wire, and Bun's fetch decodes it into many times that.
 */
export function isSmallWholeBody(forwarded: Forwarded, eventStream: boolean): boolean {
  if (eventStream || forwarded.body === null) return false
  const encoding = forwarded.headers.get('content-encoding')
  if (encoding !== null && encoding !== 'identity') return false
  const length = forwarded.headers.get('content-length')
  return length !== null && Number(length) <= WHOLE_BODY_MAX_BYTES
}

/**
 * Reads such a body natively before answering. The client waits for the last byte anyway, and
 * a JS pump per answer cost 16–18 µs of CPU (JSON throughput 12.7k → 18.3k req/s, scripts/bench).
 * Since no header has gone to the client yet, a body that fails becomes a clean 502/504 answer.
 *
 * A native read cannot tell when each chunk came, so here the idle timeout bounds the whole read
 * (4 MiB at most, in 10 minutes by default). A JS reader that re-arms it per chunk cost 2-4 µs of
 * CPU per JSON request at c=32 (copies of scripts/bench/floor.ts, six rounds, two runs).
 */
export async function readWholeBody(forwarded: Forwarded, options: { idleTimeoutMs: number; clientSignal: AbortSignal; observer: BodyObserver }): Promise<Uint8Array> {
  const { idleTimeoutMs, clientSignal, observer } = options
  let idleFired = false
  const idleTimer =
    idleTimeoutMs > 0
      ? setTimeout(() => {
          idleFired = true
          forwarded.abort(new Error('idle'))
        }, idleTimeoutMs)
      : undefined
  try {
    const bytes = await Bun.readableStreamToBytes(forwarded.body!)
    observer.chunk?.(bytes)
    observer.end({ kind: 'complete' })
    return bytes
  } catch {
    if (clientSignal.aborted) throw new UpstreamFailure('client_abort', 'client closed the connection')
    if (idleFired) throw new UpstreamFailure('idle_timeout', `upstream did not send its whole answer within ${idleTimeoutMs} ms`)
    throw new UpstreamFailure('broken_body', 'upstream closed the connection before the end of its answer')
  } finally {
    clearTimeout(idleTimer)
  }
}
