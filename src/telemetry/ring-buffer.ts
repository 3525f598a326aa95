/**
 * A fixed-capacity FIFO on one array with head and size: push, shift and peek are O(1)
 * (no `splice`, no `shift()` on a growing array). Pushing into a full ring evicts the
 * oldest item and hands it back, so the caller can count what was dropped.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[]
  private head = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`)
    this.slots = new Array(capacity)
  }

  get size(): number {
    return this.count
  }

  /** Adds an item; returns the evicted oldest item when the ring was full. */
  push(item: T): T | undefined {
    let evicted: T | undefined
    if (this.count === this.capacity) evicted = this.shift()
    this.slots[(this.head + this.count) % this.capacity] = item
    this.count++
    return evicted
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.slots[this.head]
    this.slots[this.head] = undefined
    this.head = (this.head + 1) % this.capacity
    this.count--
    return item
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head]
  }

  /** Removes and returns up to `max` of the oldest items. */
  take(max: number): T[] {
    const taken: T[] = []
    while (taken.length < max && this.count > 0) taken.push(this.shift()!)
    return taken
  }
}
