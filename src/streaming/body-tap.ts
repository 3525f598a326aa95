/** How an upstream body ended, as far as the client is concerned. */
export type BodyEnd =
  | { kind: 'complete' }
  | { kind: 'client_abort' }
  | { kind: 'idle_timeout' }
  | { kind: 'upstream_error'; message: string }

/** Reads the chunks as they pass; must be cheap and must not keep or change them. */
export interface BodyObserver {
  chunk?(bytes: Uint8Array): void
  end(how: BodyEnd): void
}

export interface TapOptions {
  /** Longest silence between chunks before `abortUpstream` is called; 0 disables. */
  idleTimeoutMs: number
  abortUpstream: (reason: Error) => void
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal
  observer?: BodyObserver
}

export class IdleTimeoutError extends Error {
  override name = 'IdleTimeoutError'
}

/**
 * The one JS step per chunk between upstream and client: it hands on the same chunk
 * object (no copy), notes the time for the idle timeout, lets an observer look, and
 * reports exactly once how the body ended.
 *
 * The idle timer is not reset per chunk (a timer per chunk costs more than the chunk):
 * one timer checks the time of the last chunk and re-arms itself for the remainder.
 */
export function tapBody(body: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> {
  const { idleTimeoutMs, abortUpstream, clientSignal, observer } = options
  let lastChunkAt = performance.now()
  let idleTimer: Timer | undefined
  let idleFired = false
  let ended = false

  const end = (how: BodyEnd) => {
    if (ended) return
    ended = true
    if (idleTimer !== undefined) clearTimeout(idleTimer)
    observer?.end(how)
  }

  const checkIdle = () => {
    const quietFor = performance.now() - lastChunkAt
    if (quietFor < idleTimeoutMs) {
      idleTimer = setTimeout(checkIdle, idleTimeoutMs - quietFor)
      return
    }
    idleFired = true
    abortUpstream(new IdleTimeoutError(`no data from upstream for ${idleTimeoutMs} ms`))
  }
  if (idleTimeoutMs > 0) idleTimer = setTimeout(checkIdle, idleTimeoutMs)

  const onChunk = observer?.chunk
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      lastChunkAt = performance.now()
      if (onChunk !== undefined) onChunk(chunk)
      controller.enqueue(chunk)
    },
    flush() {
      end({ kind: 'complete' })
    },
    // Called both when the client cancels the readable side and when the upstream body errors.
    cancel(reason: unknown) {
      if (clientSignal.aborted) end({ kind: 'client_abort' })
      else if (idleFired) end({ kind: 'idle_timeout' })
      else end({ kind: 'upstream_error', message: reason instanceof Error ? reason.message : String(reason) })
    },
  } as Transformer<Uint8Array, Uint8Array>)
  return body.pipeThrough(tap)
}
