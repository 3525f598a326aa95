import type { Clock } from '../../src/telemetry/exporter'

interface FakeTimer {
  id: number
  due: number
  callback: () => void
}

/**
 * A `Clock` whose time moves only when a test says so. `advance` runs every timer that
 * falls due, earliest first (equal times in the order they were set), and lets pending
 * promise jobs settle after each one, so code that awaits a sink between timers behaves
 * as it would with real time, only without waiting.
 */
export interface FakeClock extends Clock {
  advance(ms: number): Promise<void>
  /** Lets queued promise jobs run without moving time. */
  settle(): Promise<void>
}

/** Past this many timers in one `advance`, something re-arms itself forever. */
const MAX_TIMERS_PER_ADVANCE = 100_000

export function createFakeClock(start = 0): FakeClock {
  let now = start
  let nextId = 1
  const timers = new Map<number, FakeTimer>()

  const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

  const nextDue = (until: number): FakeTimer | undefined => {
    let next: FakeTimer | undefined
    for (const timer of timers.values()) {
      if (timer.due > until) continue
      if (next === undefined || timer.due < next.due || (timer.due === next.due && timer.id < next.id)) next = timer
    }
    return next
  }

  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { id: nextId++, due: now + Math.max(0, ms), callback }
      timers.set(timer.id, timer)
      return timer.id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    async advance(ms) {
      const until = now + ms
      await settle()
      for (let ran = 0; ; ran++) {
        if (ran > MAX_TIMERS_PER_ADVANCE) throw new Error('fake clock: timers keep re-arming without time passing')
        const timer = nextDue(until)
        if (timer === undefined) break
        timers.delete(timer.id)
        now = timer.due
        timer.callback()
        await settle()
      }
      now = until
      await settle()
    },
    settle,
  }
}
