/**
 * Paced streams for thousands of clients at once. One timer per stream would cost the mock
 * more than the proxy it measures, so a timing wheel with 1 ms slots drives them all: each
 * stream waits in the slot of its next due time, computed from its schedule (no drift).
 * The wheel runs only while a paced stream is open.
 */
const SLOTS = 4096

interface PacedStream {
  controller: ReadableStreamDefaultController<Uint8Array>
  events: Uint8Array[]
  next: number
  dueAt: number
  pace: number
  open: boolean
}

export interface Pacer {
  stream(events: Uint8Array[], paceMs: number, onCancel: () => void): ReadableStream<Uint8Array>
}

export function createPacer(): Pacer {
  const wheel: PacedStream[][] = Array.from({ length: SLOTS }, () => [])
  let active = 0
  let timer: Timer | undefined
  let doneUpTo = 0

  const schedule = (stream: PacedStream) => {
    wheel[stream.dueAt % SLOTS]!.push(stream)
  }

  const tick = () => {
    const now = Math.floor(performance.now())
    // Catch up on every slot since the last tick: a late timer must not skip streams.
    for (let at = doneUpTo + 1; at <= now; at++) {
      const slot = wheel[at % SLOTS]!
      if (slot.length === 0) continue
      wheel[at % SLOTS] = []
      for (const stream of slot) {
        if (!stream.open) continue
        if (stream.dueAt > at) {
          schedule(stream)
          continue
        }
        send(stream)
      }
    }
    doneUpTo = now
  }

  const send = (stream: PacedStream) => {
    stream.controller.enqueue(stream.events[stream.next++]!)
    if (stream.next < stream.events.length) {
      stream.dueAt += stream.pace
      schedule(stream)
      return
    }
    close(stream)
    stream.controller.close()
  }

  const close = (stream: PacedStream) => {
    if (!stream.open) return
    stream.open = false
    if (--active === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  }

  return {
    stream(events, paceMs, onCancel) {
      let paced: PacedStream
      return new ReadableStream<Uint8Array>({
        start(controller) {
          const now = Math.floor(performance.now())
          paced = { controller, events, next: 0, dueAt: now, pace: paceMs, open: true }
          if (active++ === 0) {
            doneUpTo = now
            timer = setInterval(tick, 1)
          }
          // The first event goes with the headers: time to first byte is the proxy's, not the pacing's.
          send(paced)
        },
        cancel() {
          onCancel()
          close(paced)
        },
      })
    },
  }
}
