/** A deadline that can be cancelled; `cancel` after it fired does nothing. */
export interface Deadline {
  cancel(): void
}

/** How late a deadline may fire, in milliseconds. The timeouts it serves are counted in seconds. */
const RESOLUTION_MS = 10

class Entry implements Deadline {
  constructor(
    readonly at: number,
    readonly fire: () => void,
  ) {}

  cancel(): void {
    pending.delete(this)
  }
}

const pending = new Set<Entry>()
let ticker: Timer | undefined

/**
 * Calls `fire` once `ms` milliseconds have passed, unless cancelled first. Every request
 * sets a first-byte deadline and a body deadline that almost never fire: one shared ticker
 * checking a Set costs a fraction of a `setTimeout` and `clearTimeout` per deadline
 * (1.3 µs of a 43 µs JSON request, scripts/bench/profile.ts). The ticker runs only while
 * a deadline is pending and never keeps the process alive.
 */
export function deadline(ms: number, fire: () => void): Deadline {
  const entry = new Entry(performance.now() + ms, fire)
  pending.add(entry)
  if (ticker === undefined) {
    ticker = setInterval(tick, RESOLUTION_MS)
    ticker.unref()
  }
  return entry
}

function tick(): void {
  const now = performance.now()
  for (const entry of pending) {
    if (entry.at > now) continue
    pending.delete(entry)
    try {
      entry.fire()
    } catch {
      // A deadline's action is an abort; one that throws must not stop the others.
    }
  }
  if (pending.size === 0) {
    clearInterval(ticker)
    ticker = undefined
  }
}

/** No deadline: for a timeout of 0 (off). */
export const NO_DEADLINE: Deadline = { cancel() {} }
