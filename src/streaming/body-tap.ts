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
  /** True once the body carried its last event (`[DONE]`, `message_stop`): it is whole. */
  whole?(): boolean
}

export interface TapOptions {
  /** Longest silence between chunks before `abortUpstream` is called; 0 disables. */
  idleTimeoutMs: number
  abortUpstream: (reason: Error) => void
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal
  observer?: BodyObserver
  /**
   * For event streams: the last frame to send when the upstream fails mid-stream, in the
   * stream's own format, so the client sees an error event instead of a clean end. Without
   * it the client's connection is aborted.
   */
  failureFrame?: (message: string) => Uint8Array
}

export class IdleTimeoutError extends Error {
  override name = 'IdleTimeoutError'
}

/**
 * What a tap without a failure frame fails its body with. Its message is safe to show a
 * client; a second tap downstream (after a translation) reads it and reports the same end.
 */
export class BodyTapError extends Error {
  override name = 'BodyTapError'
  constructor(
    message: string,
    readonly end: Extract<BodyEnd, { kind: 'idle_timeout' | 'upstream_error' }>,
  ) {
    super(message)
  }
}

/**
 * The one JS step per chunk between upstream and client: it hands on the same chunk
 * object (no copy), notes the time for the idle timeout, lets an observer look, and
 * reports exactly once how the body ended. It pulls one chunk per client read, so the
 * client's backpressure reaches the upstream.
 *
 * Upstream failures are not passed on as they are: Bun's server prints the error of a
 * failed response body, and a fetch error carries the upstream URL. The client gets an
 * error event (event streams) or an aborted connection with a plain message.
 *
 * The idle timer is not reset per chunk (a timer per chunk costs more than the chunk):
 * one timer checks how long the pending read has waited and re-arms itself for the remainder.
 */
export function tapBody(body: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> {
  const { idleTimeoutMs, abortUpstream, clientSignal, observer, failureFrame } = options
  const reader = body.getReader()
  let idleTimer: Timer | undefined
  let idleFired = false
  let ended = false

  const end = (how: BodyEnd) => {
    if (ended) return
    ended = true
    if (idleTimer !== undefined) clearTimeout(idleTimer)
    try {
      observer?.end(how)
    } catch {
      // An observer is telemetry: it may fail, the client's stream may not.
    }
  }

  // Silence is the upstream's only while a read waits on it: a client that reads slowly
  // (backpressure) must not make a healthy upstream look idle.
  let readingSince: number | null = null
  const checkIdle = () => {
    const quietFor = readingSince === null ? 0 : performance.now() - readingSince
    if (quietFor < idleTimeoutMs) {
      idleTimer = setTimeout(checkIdle, idleTimeoutMs - quietFor)
      return
    }
    idleFired = true
    abortUpstream(new IdleTimeoutError(`no data from upstream for ${idleTimeoutMs} ms`))
  }
  if (idleTimeoutMs > 0) idleTimer = setTimeout(checkIdle, idleTimeoutMs)

  const tapError = (error: unknown): BodyTapError => {
    if (idleFired) return new BodyTapError(`upstream sent nothing for ${idleTimeoutMs} ms`, { kind: 'idle_timeout' })
    const message = `upstream stream failed: ${describe(error)}`
    return new BodyTapError(message, { kind: 'upstream_error', message })
  }

  const onChunk = observer?.chunk
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>>
        readingSince = performance.now()
        try {
          result = await reader.read()
        } catch (error) {
          if (clientSignal.aborted) return end({ kind: 'client_abort' })
          // An upstream that drops the connection after the stream's closing event has sent the
          // client all of it: an error event after `[DONE]` would be noise, and the record a lie.
          if (observer?.whole?.()) {
            end({ kind: 'complete' })
            return controller.close()
          }
          const failure = error instanceof BodyTapError ? error : tapError(error)
          end(failure.end)
          if (failureFrame === undefined) return controller.error(failure)
          controller.enqueue(failureFrame(failure.message))
          return controller.close()
        }
        if (result.done) {
          end({ kind: 'complete' })
          return controller.close()
        }
        readingSince = null
        if (onChunk !== undefined) {
          try {
            onChunk(result.value)
          } catch {}
        }
        controller.enqueue(result.value)
      },
      cancel() {
        end(clientSignal.aborted || !idleFired ? { kind: 'client_abort' } : { kind: 'idle_timeout' })
        // Without the catch, the rejection of an already-failed upstream crashes the process.
        reader.cancel().catch(() => {})
      },
    },
    { highWaterMark: 0 },
  )
}

/** A failure's code or name, never its URL: fetch errors carry the upstream path. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown }
  if (typeof e?.code === 'string' && e.code) return e.code
  return typeof e?.name === 'string' ? e.name : 'unknown error'
}
