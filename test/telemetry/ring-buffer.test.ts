import { describe, expect, test } from 'bun:test'
import { RingBuffer } from '../../src/telemetry/ring-buffer'

/** Everything in the ring, oldest first; the items are put back in the same order. */
function contents<T>(ring: RingBuffer<T>): T[] {
  const items = ring.take(ring.size)
  for (const item of items) ring.push(item)
  return items
}

describe('RingBuffer', () => {
  test('push, peek, shift and take keep FIFO order', () => {
    const ring = new RingBuffer<number>(4)
    expect(ring.size).toBe(0)
    expect(ring.peek()).toBeUndefined()
    expect(ring.shift()).toBeUndefined()
    expect(ring.take(3)).toEqual([])

    expect(ring.push(1)).toBeUndefined()
    expect(ring.push(2)).toBeUndefined()
    expect(ring.push(3)).toBeUndefined()
    expect(ring.size).toBe(3)
    expect(ring.peek()).toBe(1)
    expect(ring.size).toBe(3) // peek does not remove

    expect(ring.shift()).toBe(1)
    expect(ring.size).toBe(2)
    expect(ring.take(5)).toEqual([2, 3]) // take stops at what is there
    expect(ring.size).toBe(0)
    expect(ring.take(0)).toEqual([])
  })

  test('take removes exactly max of the oldest items', () => {
    const ring = new RingBuffer<string>(5)
    for (const item of ['a', 'b', 'c', 'd', 'e']) ring.push(item)
    expect(ring.take(2)).toEqual(['a', 'b'])
    expect(ring.size).toBe(3)
    expect(ring.peek()).toBe('c')
    expect(ring.take(1)).toEqual(['c'])
    expect(ring.take(10)).toEqual(['d', 'e'])
  })

  test('pushing into a full ring evicts and returns the oldest item', () => {
    const ring = new RingBuffer<number>(3)
    for (const item of [1, 2, 3]) expect(ring.push(item)).toBeUndefined()
    expect(ring.push(4)).toBe(1)
    expect(ring.push(5)).toBe(2)
    expect(ring.size).toBe(3)
    expect(ring.peek()).toBe(3)
    expect(ring.take(3)).toEqual([3, 4, 5])
  })

  test('wraps around many times against a plain array model', () => {
    const capacity = 7
    const ring = new RingBuffer<number>(capacity)
    const model: number[] = []
    let next = 0
    // A fixed pattern of pushes and shifts that crosses the end of the slots array hundreds of times.
    for (let step = 0; step < 5000; step++) {
      const op = (step * 7919) % 5
      if (op < 3) {
        const evicted = ring.push(next)
        const expected = model.length === capacity ? model.shift() : undefined
        model.push(next++)
        expect(evicted).toBe(expected)
      } else if (op === 3) {
        expect(ring.shift()).toBe(model.shift())
      } else {
        const n = step % 4
        expect(ring.take(n)).toEqual(model.splice(0, n))
      }
      expect(ring.size).toBe(model.length)
      expect(ring.peek()).toBe(model[0])
    }
    expect(next).toBeGreaterThan(capacity * 100)
    expect(contents(ring)).toEqual(model)
  })

  test('capacity 1 holds the newest item only', () => {
    const ring = new RingBuffer<string>(1)
    expect(ring.push('a')).toBeUndefined()
    expect(ring.push('b')).toBe('a')
    expect(ring.push('c')).toBe('b')
    expect(ring.size).toBe(1)
    expect(ring.peek()).toBe('c')
    expect(ring.shift()).toBe('c')
    expect(ring.size).toBe(0)
    expect(ring.push('d')).toBeUndefined()
    expect(ring.take(1)).toEqual(['d'])
  })

  test('a shifted slot no longer holds its item (evicted records can be collected)', () => {
    const ring = new RingBuffer<object>(2)
    const first = {}
    ring.push(first)
    ring.shift()
    // The slot array is private; reading it here checks the reference was really released.
    expect((ring as unknown as { slots: unknown[] }).slots).not.toContain(first)
  })

  for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`rejects capacity ${capacity}`, () => {
      expect(() => new RingBuffer(capacity)).toThrow(RangeError)
    })
  }
})
