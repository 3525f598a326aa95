import { describe, expect, test } from 'bun:test'
import { BodyTapError, IdleTimeoutError, tapBody, type BodyEnd, type BodyObserver, type TapOptions } from '../../src/streaming/body-tap'

/** An upstream body that makes `chunk(i)` on demand, counting pulls; `waitMs` before each chunk. */
function upstream(options: { chunks?: number; waitMs?: (index: number) => number } = {}) {
  const state = { pulls: 0, cancelled: false, failed: false, sent: [] as Uint8Array[], fail: (_reason: Error) => {} }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // As an aborted fetch fails its body.
        state.fail = (reason) => {
          state.failed = true
          controller.error(reason)
        }
      },
      async pull(controller) {
        const index = state.pulls++
        const wait = options.waitMs?.(index) ?? 0
        if (wait > 0) await Bun.sleep(wait)
        if (state.failed) return
        if (options.chunks !== undefined && index >= options.chunks) return controller.close()
        const chunk = new TextEncoder().encode(`chunk ${index}\n`)
        state.sent.push(chunk)
        controller.enqueue(chunk)
      },
      cancel() {
        state.cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return { body, state }
}

function tap(body: ReadableStream<Uint8Array>, options: Partial<TapOptions> = {}) {
  const ends: BodyEnd[] = []
  const seen: Uint8Array[] = []
  const aborts: Error[] = []
  const client = new AbortController()
  const observer: BodyObserver = { chunk: (bytes) => void seen.push(bytes), end: (how) => void ends.push(how) }
  const tapped = tapBody(body, { idleTimeoutMs: 0, abortUpstream: (reason) => void aborts.push(reason), clientSignal: client.signal, observer, ...options })
  return { tapped, ends, seen, aborts, client }
}

describe('tapBody', () => {
  test('hands on the very chunk objects the upstream sent, lets the observer see each, and reports one complete end', async () => {
    const { body, state } = upstream({ chunks: 3 })
    const { tapped, ends, seen } = tap(body)
    const received: Uint8Array[] = []
    for await (const chunk of tapped) received.push(chunk)
    expect(received).toHaveLength(3)
    received.forEach((chunk, i) => expect(chunk).toBe(state.sent[i]!))
    seen.forEach((chunk, i) => expect(chunk).toBe(state.sent[i]!))
    expect(ends).toEqual([{ kind: 'complete' }])
  })

  test('pulls one upstream chunk per client read: a client that stops reading stops the upstream (backpressure)', async () => {
    const { body, state } = upstream()
    const { tapped } = tap(body)
    const reader = tapped.getReader()
    for (let i = 0; i < 3; i++) await reader.read()
    await Bun.sleep(50)
    // Three reads, and at most one chunk pulled ahead: never the whole endless body.
    expect(state.pulls).toBeLessThanOrEqual(4)
    await reader.cancel()
  })

  test('a client that reads slowly does not make a healthy upstream look idle', async () => {
    const { body } = upstream({ chunks: 4 })
    const { tapped, ends, aborts } = tap(body, { idleTimeoutMs: 60 })
    const reader = tapped.getReader()
    // Each chunk is there at once; the client waits 150 ms (2.5 idle timeouts) between reads.
    for (;;) {
      const { done } = await reader.read()
      if (done) break
      await Bun.sleep(150)
    }
    expect(aborts).toEqual([])
    expect(ends).toEqual([{ kind: 'complete' }])
  })

  test('an upstream silent for the idle timeout while a read waits: it is aborted, and the body fails as an idle timeout', async () => {
    const { body, state } = upstream({ waitMs: (index) => (index === 1 ? 1000 : 0) })
    const { tapped, ends, aborts } = tap(body, { idleTimeoutMs: 80, abortUpstream: (reason) => void (aborts.push(reason), state.fail(reason)) })
    const reader = tapped.getReader()
    await reader.read()
    const error = await reader.read().catch((e: unknown) => e)
    expect(aborts).toHaveLength(1)
    expect(aborts[0]).toBeInstanceOf(IdleTimeoutError)
    expect(error).toBeInstanceOf(BodyTapError)
    expect((error as BodyTapError).end).toEqual({ kind: 'idle_timeout' })
    expect(ends).toEqual([{ kind: 'idle_timeout' }])
  })

  test('a client that goes away cancels the upstream body, and the end is a client abort', async () => {
    const { body, state } = upstream()
    const { tapped, ends, client } = tap(body)
    const reader = tapped.getReader()
    await reader.read()
    client.abort()
    await reader.cancel()
    expect(state.cancelled).toBe(true)
    expect(ends).toEqual([{ kind: 'client_abort' }])
  })

  test('an upstream that fails mid-body: the client gets a BodyTapError without the upstream’s details, or the failure frame', async () => {
    const failing = () => {
      let pulls = 0
      return new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (pulls++ === 0) return controller.enqueue(new TextEncoder().encode('data: 1\n\n'))
            controller.error(Object.assign(new Error('connect to https://internal.example/v1 failed'), { code: 'ECONNRESET' }))
          },
        },
        { highWaterMark: 0 },
      )
    }
    const plain = tap(failing())
    const reader = plain.tapped.getReader()
    await reader.read()
    const error = await reader.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BodyTapError)
    expect((error as Error).message).toBe('upstream stream failed: ECONNRESET')
    expect(plain.ends).toEqual([{ kind: 'upstream_error', message: 'upstream stream failed: ECONNRESET' }])

    const framed = tap(failing(), { failureFrame: (message) => new TextEncoder().encode(`data: {"error":${JSON.stringify(message)}}\n\n`) })
    const text = await new Response(framed.tapped).text()
    expect(text).toBe('data: 1\n\ndata: {"error":"upstream stream failed: ECONNRESET"}\n\n')
  })

  test('an observer that throws changes nothing for the client', async () => {
    const { body } = upstream({ chunks: 2 })
    const observer: BodyObserver = {
      chunk() {
        throw new Error('observer bug')
      },
      end() {
        throw new Error('observer bug')
      },
    }
    const { tapped } = tap(body, { observer })
    expect(await new Response(tapped).text()).toBe('chunk 0\nchunk 1\n')
  })
})
