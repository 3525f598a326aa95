import { describe, expect, test } from 'bun:test'
import type { Logger } from '../../src/logger'
import { createExporter, type Clock, type ExporterOptions, type ExportSink, type SendOutcome } from '../../src/telemetry/exporter'
import { seededRandom } from '../support/chunking'
import { createFakeClock } from '../support/fake-clock'

/** What the scripted sink answers to one send: an outcome, a function of the batch, a thrown error, or no answer yet. */
type Reply = SendOutcome | ((batch: string[]) => SendOutcome) | Error | 'hold'

interface ScriptedSink extends ExportSink<string> {
  sends: Array<{ at: number; batch: string[] }>
  /** Answers for the next sends, in order; once used up, every send is acknowledged. */
  reply(...replies: Reply[]): void
  /** Answers the oldest send that is held (an outcome, or one made from its batch). */
  release(outcome: SendOutcome | ((batch: string[]) => SendOutcome)): void
  /** Most sends waiting for an answer at the same time. */
  maxOpen: number
  readonly holding: boolean
}

const OK: SendOutcome = { kind: 'ok' }
const RETRY: SendOutcome = { kind: 'retry', reason: 'Elasticsearch answered 503' }

function createScriptedSink(clock: Clock): ScriptedSink {
  const script: Reply[] = []
  let open = 0
  const held: Array<{ batch: string[]; answer: (outcome: SendOutcome) => void }> = []
  const sink: ScriptedSink = {
    sends: [],
    maxOpen: 0,
    get holding() {
      return held.length > 0
    },
    reply: (...replies) => void script.push(...replies),
    release(outcome) {
      const oldest = held.shift()
      if (oldest === undefined) throw new Error('no send is held')
      oldest.answer(typeof outcome === 'function' ? outcome(oldest.batch) : outcome)
    },
    async send(batch) {
      sink.sends.push({ at: clock.now(), batch: [...batch] })
      sink.maxOpen = Math.max(sink.maxOpen, ++open)
      try {
        const next = script.shift() ?? OK
        if (next === 'hold') return await new Promise<SendOutcome>((answer) => held.push({ batch, answer }))
        if (next instanceof Error) throw next
        return typeof next === 'function' ? next(batch) : next
      } finally {
        open--
      }
    },
  }
  return sink
}

interface LogLine {
  level: string
  message: string
  fields: Record<string, unknown> | undefined
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields })
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), enabled: () => true } }
}

function setup(options: Partial<ExporterOptions<string>> = {}) {
  const clock = createFakeClock()
  const sink = createScriptedSink(clock)
  const log = recordingLogger()
  const exporter = createExporter<string>({
    sink,
    capacity: 100,
    batchSize: 10,
    flushIntervalMs: 1000,
    logger: log.logger,
    clock,
    random: () => 1,
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    ...options,
  })
  let pushed = 0
  return {
    clock,
    sink,
    log,
    exporter,
    push(...items: string[]) {
      for (const item of items) {
        exporter.push(item)
        pushed++
      }
    },
    /** Every record pushed is accounted for exactly once. */
    expectBalanced() {
      const s = exporter.stats()
      expect(s.exported + s.dropped + s.failed + s.queued).toBe(pushed)
    },
    batches: () => sink.sends.map((s) => s.batch),
    sendTimes: () => sink.sends.map((s) => s.at),
  }
}

describe('exporter: flush by size', () => {
  test('a full batch is sent at once, without waiting for the interval', async () => {
    const t = setup({ batchSize: 3 })
    t.push('a', 'b')
    await t.clock.advance(0)
    expect(t.sink.sends).toEqual([])
    t.push('c')
    await t.clock.advance(0)
    expect(t.sink.sends).toEqual([{ at: 0, batch: ['a', 'b', 'c'] }])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 3 })
  })

  test('a backlog leaves in batch-size pieces at once, the remainder by its age', async () => {
    const t = setup({ batchSize: 2 })
    t.push('a', 'b', 'c', 'd', 'e')
    await t.clock.advance(0)
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b'] },
      { at: 0, batch: ['c', 'd'] },
    ])
    await t.clock.advance(999)
    expect(t.sink.sends).toHaveLength(2)
    await t.clock.advance(1)
    expect(t.sink.sends[2]).toEqual({ at: 1000, batch: ['e'] })
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 5 })
  })

  test('a batch size above the capacity is clamped to it, with a warning', async () => {
    const t = setup({ capacity: 3, batchSize: 10 })
    expect(t.log.lines).toContainEqual({ level: 'warn', message: 'batch size exceeds buffer capacity; using the capacity', fields: { batch_size: 10, capacity: 3 } })
    t.push('a', 'b', 'c')
    await t.clock.advance(0)
    expect(t.batches()).toEqual([['a', 'b', 'c']])
  })
})

describe('exporter: records arriving faster than a timer turn', () => {
  test('a full batch leaves on time although new records keep coming (the timer is not pushed back)', async () => {
    const t = setup({ batchSize: 3 })
    // Like Bun's setTimeout, the shortest delay is 1 ms; records arrive every 0.5 ms.
    const fire = t.clock.setTimeout.bind(t.clock)
    t.clock.setTimeout = (callback, ms) => fire(callback, Math.max(1, ms))
    t.push('a', 'b', 'c')
    for (let i = 0; i < 8; i++) {
      await t.clock.advance(0.5)
      t.push(`n${i}`)
    }
    expect(t.sendTimes()[0]).toBe(1)
    expect(t.batches()[0]).toEqual(['a', 'b', 'c'])
    t.expectBalanced()
  })
})

describe('exporter: a paused start (the index is being set up)', () => {
  test('holds every record until resume, then sends them by size and age as usual', async () => {
    const t = setup({ batchSize: 2, paused: true })
    t.push('a', 'b', 'c')
    await t.clock.advance(5000)
    expect(t.sink.sends).toEqual([])
    expect(t.exporter.stats()).toMatchObject({ queued: 3, exported: 0, dropped: 0 })
    t.exporter.resume()
    await t.clock.advance(1000)
    expect(t.batches()).toEqual([['a', 'b'], ['c']])
    t.expectBalanced()
  })

  test('a shutdown while still paused sends nothing and counts the held records as dropped', async () => {
    const t = setup({ paused: true })
    t.push('a', 'b')
    const stats = await t.exporter.shutdown(1000)
    expect(t.sink.sends).toEqual([])
    expect(stats).toMatchObject({ queued: 0, dropped: 2 })
    expect(t.log.lines.some((l) => l.fields?.reason === 'the sink never became ready')).toBe(true)
  })
})

describe('exporter: flush by age', () => {
  test('measured from the oldest waiting record, not reset by new pushes', async () => {
    const t = setup()
    t.push('a')
    await t.clock.advance(600)
    t.push('b')
    await t.clock.advance(300)
    t.push('c')
    await t.clock.advance(99)
    expect(t.sink.sends).toEqual([])
    await t.clock.advance(1)
    expect(t.sink.sends).toEqual([{ at: 1000, batch: ['a', 'b', 'c'] }])
  })

  test('the next batch counts from its own oldest record', async () => {
    const t = setup()
    t.push('a')
    await t.clock.advance(1500)
    t.push('b')
    await t.clock.advance(999)
    expect(t.sendTimes()).toEqual([1000])
    await t.clock.advance(1)
    expect(t.sink.sends).toEqual([
      { at: 1000, batch: ['a'] },
      { at: 2500, batch: ['b'] },
    ])
  })

  test('records pushed while a batch is in flight leave after it, by their own age', async () => {
    const t = setup()
    t.sink.reply('hold')
    t.push('a')
    await t.clock.advance(1000)
    expect(t.sink.holding).toBe(true)
    await t.clock.advance(100)
    t.push('b') // queued at 1100
    await t.clock.advance(400)
    t.sink.release(OK) // at 1500
    await t.clock.advance(599)
    expect(t.batches()).toEqual([['a']])
    await t.clock.advance(1)
    expect(t.sink.sends[1]).toEqual({ at: 2100, batch: ['b'] })
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 2 })
  })
})

describe('exporter: one send at a time by default', () => {
  test('the next batch waits for the answer to the previous one', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b', 'c', 'd', 'e', 'f')
    await t.clock.advance(10_000)
    expect(t.batches()).toEqual([['a', 'b']])
    t.sink.release(OK)
    await t.clock.advance(0)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ])
    expect(t.sink.maxOpen).toBe(1)
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 6 })
  })
})

describe('exporter: concurrency', () => {
  test('up to `concurrency` batches are in flight at once; the next waits for one of them', async () => {
    const t = setup({ batchSize: 2, concurrency: 2 })
    t.sink.reply('hold', 'hold')
    t.push('a', 'b', 'c', 'd', 'e', 'f')
    await t.clock.advance(10_000)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 6, exported: 0 })
    t.sink.release(OK)
    await t.clock.advance(0)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ])
    t.sink.release(OK)
    await t.clock.advance(0)
    expect(t.sink.maxOpen).toBe(2)
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 6 })
    t.expectBalanced()
  })

  test('while a batch waits for its retry no new batch leaves; once it is delivered, two go at once again', async () => {
    const t = setup({ batchSize: 2, concurrency: 2 })
    t.sink.reply(RETRY, OK)
    t.push('a', 'b', 'c', 'd')
    await t.clock.advance(0)
    t.push('e', 'f', 'g', 'h')
    await t.clock.advance(99)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    await t.clock.advance(1) // the backoff of [a, b]
    expect(t.sink.sends.slice(2)).toEqual([
      { at: 100, batch: ['a', 'b'] },
      { at: 100, batch: ['e', 'f'] },
      { at: 100, batch: ['g', 'h'] },
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 8, retried: 2 })
  })

  test('a Retry-After holds new batches back too', async () => {
    const t = setup({ batchSize: 2, concurrency: 2 })
    t.sink.reply({ kind: 'retry', reason: '429', retryAfterMs: 500 })
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c', 'd', 'e', 'f')
    await t.clock.advance(499)
    expect(t.batches()).toEqual([['a', 'b']])
    await t.clock.advance(1)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 6 })
  })

  test('shutdown sends up to `concurrency` batches at a time', async () => {
    const t = setup({ batchSize: 2, concurrency: 3, flushIntervalMs: 60_000 })
    t.push('a', 'b', 'c')
    t.sink.reply('hold', 'hold', 'hold')
    t.push('d', 'e', 'f', 'g', 'h') // [a, b], [c, d] and [e, f] leave at once, full
    await t.clock.advance(0)
    const done = t.exporter.shutdown(10_000)
    await t.clock.advance(0)
    expect(t.batches()).toHaveLength(3)
    while (t.sink.holding) t.sink.release(OK)
    await t.clock.settle()
    expect(await done).toMatchObject({ queued: 0, exported: 8, dropped: 0 })
    expect(t.batches().at(-1)).toEqual(['g', 'h'])
    expect(t.sink.maxOpen).toBe(3)
  })
})

describe('exporter: records leave only on acknowledgement', () => {
  test('a failing sink keeps its records, and queued counts the batch in flight', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    expect(t.exporter.stats()).toEqual({ queued: 2, queuedBytes: 0, capacity: 100, exported: 0, dropped: 0, retried: 0, failed: 0 })
    t.push('c')
    expect(t.exporter.stats().queued).toBe(3)
    t.sink.release(RETRY)
    await t.clock.settle()
    expect(t.exporter.stats()).toEqual({ queued: 3, queuedBytes: 0, capacity: 100, exported: 0, dropped: 0, retried: 2, failed: 0 })
    t.expectBalanced()

    await t.clock.advance(100) // the backoff
    expect(t.sink.sends[1]).toEqual({ at: 100, batch: ['a', 'b'] })
    expect(t.exporter.stats()).toMatchObject({ queued: 1, exported: 2 })
    await t.clock.advance(900) // c was queued at 0
    expect(t.sink.sends[2]).toEqual({ at: 1000, batch: ['c'] })
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 3, retried: 2 })
    t.expectBalanced()
  })

  test('a sink that throws is retried like a retry outcome', async () => {
    const t = setup({ batchSize: 1 })
    t.sink.reply(new Error('socket hang up'))
    t.push('a')
    await t.clock.advance(0)
    expect(t.exporter.stats()).toMatchObject({ queued: 1, exported: 0, retried: 1 })
    expect(t.log.lines).toContainEqual({ level: 'warn', message: 'telemetry export failed; retrying', fields: { records: 1, attempt: 1, retry_in_ms: 100, reason: 'socket hang up' } })
    await t.clock.advance(100)
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a'] },
      { at: 100, batch: ['a'] },
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 1 })
  })
})

describe('exporter: retry backoff', () => {
  test('capped exponential: with random() = 1 the delays are base * 2^n up to the max', async () => {
    const t = setup({ batchSize: 1 })
    t.sink.reply(RETRY, RETRY, RETRY, RETRY, RETRY, RETRY)
    t.push('a')
    await t.clock.advance(10_000)
    // delays 100, 200, 400, 800, 1000 (capped), 1000
    expect(t.sendTimes()).toEqual([0, 100, 300, 700, 1500, 2500, 3500])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 1, retried: 6 })
  })

  test('full jitter: each delay is a fresh random() share of its capped step', async () => {
    const draws = [0.5, 0.1, 0.9, 0.25]
    const t = setup({ batchSize: 1, random: () => draws.shift()! })
    t.sink.reply(RETRY, RETRY, RETRY, RETRY)
    t.push('a')
    await t.clock.advance(10_000)
    // 0.5*100, 0.1*200, 0.9*400, 0.25*800
    expect(t.sendTimes()).toEqual([0, 50, 70, 430, 630])
  })

  test('the steps start again from the base after a success', async () => {
    const t = setup({ batchSize: 1 })
    t.sink.reply(RETRY, RETRY, OK, RETRY, OK)
    t.push('a')
    await t.clock.advance(1000)
    expect(t.sendTimes()).toEqual([0, 100, 300])
    t.push('b')
    await t.clock.advance(1000)
    expect(t.sendTimes()).toEqual([0, 100, 300, 1000, 1100])
  })

  test('a Retry-After longer than the backoff is honoured, and the backoff still advances', async () => {
    const t = setup({ batchSize: 1 })
    t.sink.reply({ kind: 'retry', reason: '429', retryAfterMs: 5000 }, RETRY, OK)
    t.push('a')
    await t.clock.advance(4999)
    expect(t.sendTimes()).toEqual([0])
    await t.clock.advance(1000)
    expect(t.sendTimes()).toEqual([0, 5000, 5200])
  })

  test('a Retry-After of 0 does not resend the batch in a loop: the backoff is its floor', async () => {
    const t = setup({ batchSize: 1 })
    const zero = { kind: 'retry', reason: '503', retryAfterMs: 0 } as const
    t.sink.reply(zero, zero, zero, zero, OK)
    t.push('a')
    await t.clock.advance(10_000)
    expect(t.sendTimes()).toEqual([0, 100, 300, 700, 1500])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 1, retried: 4 })
  })
})

describe('exporter: partial outcomes', () => {
  test('retry items are sent again, failed ones counted, the others exported', async () => {
    const t = setup({ batchSize: 5 })
    t.sink.reply({ kind: 'partial', retry: [1, 3], failed: [{ index: 4, reason: '400 mapper_parsing_exception: failed to parse field [x]' }] })
    t.push('a', 'b', 'c', 'd', 'e')
    await t.clock.advance(0)
    expect(t.exporter.stats()).toEqual({ queued: 2, queuedBytes: 0, capacity: 100, exported: 2, dropped: 0, retried: 2, failed: 1 })
    expect(t.log.lines).toContainEqual({ level: 'error', message: 'telemetry record refused by the sink', fields: { reason: '400 mapper_parsing_exception: failed to parse field [x]' } })
    t.expectBalanced()
    await t.clock.advance(100)
    expect(t.sink.sends[1]).toEqual({ at: 100, batch: ['b', 'd'] })
    expect(t.exporter.stats()).toEqual({ queued: 0, queuedBytes: 0, capacity: 100, exported: 4, dropped: 0, retried: 2, failed: 1 })
    t.expectBalanced()
  })

  test('a subset that keeps failing is narrowed down and backs off step by step', async () => {
    const t = setup({ batchSize: 3 })
    t.sink.reply({ kind: 'partial', retry: [0, 2], failed: [] }, { kind: 'partial', retry: [1], failed: [] }, OK)
    t.push('a', 'b', 'c')
    await t.clock.advance(1000)
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b', 'c'] },
      { at: 100, batch: ['a', 'c'] },
      { at: 300, batch: ['c'] },
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 3, retried: 3, failed: 0 })
  })

  test('failures alone end the batch: nothing is re-sent and later records flow', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply({ kind: 'partial', retry: [], failed: [{ index: 0, reason: 'bad' }] })
    t.push('a', 'b', 'c')
    await t.clock.advance(1000)
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b'] },
      { at: 1000, batch: ['c'] },
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 2, failed: 1, retried: 0 })
    t.expectBalanced()
  })
})

describe('exporter: a buffer bounded by weight as well as by count', () => {
  const weighed = { capacity: 100, batchSize: 2, maxBytes: 10, sizeOf: (item: string) => item.length }

  test('past maxBytes the oldest waiting records are evicted until the newcomer fits, never one in flight', async () => {
    const t = setup(weighed)
    t.sink.reply('hold')
    t.push('aaa', 'bbb')
    await t.clock.advance(0)
    t.push('cc', 'dd')
    expect(t.exporter.stats()).toMatchObject({ queued: 4, queuedBytes: 10, dropped: 0 })
    t.push('eeee')
    expect(t.exporter.stats()).toMatchObject({ queued: 3, queuedBytes: 10, dropped: 2 })
    t.expectBalanced()
    t.sink.release(OK)
    await t.clock.advance(1000)
    expect(t.batches()).toEqual([['aaa', 'bbb'], ['eeee']])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, queuedBytes: 0, exported: 3, dropped: 2 })
    t.expectBalanced()
  })

  test('a newcomer the batches in flight leave no room for is dropped at once, not after the waiting records', async () => {
    const t = setup({ capacity: 100, batchSize: 2, maxBytes: 20, sizeOf: (item: string) => item.length })
    t.sink.reply('hold')
    t.push('a'.repeat(8), 'b'.repeat(8))
    await t.clock.advance(0)
    t.push('c', 'd')
    expect(t.exporter.stats()).toMatchObject({ queued: 4, queuedBytes: 18, dropped: 0 })
    t.push('e'.repeat(5)) // 16 in flight + 5 > 20, whatever is evicted from the ring
    expect(t.exporter.stats()).toMatchObject({ queued: 4, queuedBytes: 18, dropped: 1 })
    t.expectBalanced()
  })

  test('a record heavier than the whole buffer is dropped by itself', async () => {
    const t = setup(weighed)
    t.push('a')
    t.push('x'.repeat(11))
    expect(t.exporter.stats()).toMatchObject({ queued: 1, queuedBytes: 1, dropped: 1 })
    expect(t.log.lines).toContainEqual({ level: 'warn', message: 'telemetry records dropped', fields: { count: 1, reason: 'record larger than the buffer' } })
    t.expectBalanced()
  })

  test('when the weight is all in flight the newcomer is dropped', async () => {
    const t = setup(weighed)
    t.sink.reply('hold')
    t.push('aaaaa', 'bbbbb')
    await t.clock.advance(0)
    t.push('c')
    expect(t.exporter.stats()).toMatchObject({ queued: 2, queuedBytes: 10, dropped: 1 })
    t.sink.release(OK)
    await t.clock.advance(0)
    t.push('c')
    expect(t.exporter.stats()).toMatchObject({ queued: 1, queuedBytes: 1, exported: 2, dropped: 1 })
    t.expectBalanced()
  })

  test('records refused for good, retried or left at shutdown give their weight back', async () => {
    const t = setup(weighed)
    t.sink.reply({ kind: 'partial', retry: [0], failed: [{ index: 1, reason: '400' }] })
    t.push('aaa', 'bb')
    await t.clock.advance(0)
    expect(t.exporter.stats()).toMatchObject({ queued: 1, queuedBytes: 3, failed: 1 })
    t.sink.reply(RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY)
    const done = t.exporter.shutdown(50)
    await t.clock.advance(1000)
    expect(await done).toMatchObject({ queued: 0, queuedBytes: 0, failed: 1, dropped: 1 })
    t.expectBalanced()
  })
})

describe('exporter: a full buffer', () => {
  test('evicts the oldest waiting record, never one in flight', async () => {
    const t = setup({ capacity: 4, batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c', 'd')
    expect(t.exporter.stats()).toMatchObject({ queued: 4, dropped: 0 })
    t.push('e')
    expect(t.exporter.stats()).toMatchObject({ queued: 4, dropped: 1 })
    t.push('f')
    expect(t.exporter.stats()).toMatchObject({ queued: 4, dropped: 2 })
    t.expectBalanced()
    t.sink.release(OK)
    await t.clock.advance(0)
    expect(t.batches()).toEqual([
      ['a', 'b'],
      ['e', 'f'],
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 4, dropped: 2 })
    t.expectBalanced()
  })

  test('when everything is in flight the newcomer is dropped', async () => {
    const t = setup({ capacity: 2, batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c')
    t.push('d')
    expect(t.exporter.stats()).toMatchObject({ queued: 2, dropped: 2 })
    t.sink.release(OK)
    await t.clock.advance(5000)
    expect(t.batches()).toEqual([['a', 'b']])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 2, dropped: 2 })
    t.expectBalanced()
  })

  test('a batch waiting to be retried keeps its place while newer records are evicted', async () => {
    const t = setup({ capacity: 3, batchSize: 2 })
    t.sink.reply(RETRY)
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c', 'd')
    expect(t.exporter.stats()).toMatchObject({ queued: 3, dropped: 1 })
    await t.clock.advance(1000)
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b'] },
      { at: 100, batch: ['a', 'b'] },
      { at: 1000, batch: ['d'] },
    ])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 3, dropped: 1 })
  })

  test('with nothing in flight the oldest record makes room', async () => {
    const t = setup({ capacity: 3, batchSize: 3 })
    t.push('a', 'b', 'c', 'd')
    expect(t.exporter.stats()).toMatchObject({ queued: 3, dropped: 1 })
    await t.clock.advance(0)
    expect(t.batches()).toEqual([['b', 'c', 'd']])
  })

  test('drops are logged once, then once more with the total when exports recover', async () => {
    const t = setup({ capacity: 2, batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c', 'd', 'e')
    const dropLines = () => t.log.lines.filter((l) => l.message.includes('drop'))
    expect(dropLines()).toEqual([{ level: 'warn', message: 'telemetry records dropped', fields: { count: 1, reason: 'buffer full' } }])
    t.sink.release(OK)
    await t.clock.advance(0)
    expect(dropLines()[1]).toEqual({ level: 'warn', message: 'telemetry export recovered after dropping records', fields: { dropped: 3 } })
    expect(dropLines()).toHaveLength(2)
  })

  test('a sustained overflow logs one line per 10 s with the count since the last', async () => {
    const t = setup({ capacity: 2, batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    const dropLines = () => t.log.lines.filter((l) => l.message.includes('drop'))
    for (let second = 0; second < 25; second++) {
      t.push(`x${second}`, `y${second}`, `z${second}`)
      await t.clock.advance(1000)
    }
    expect(dropLines().map((l) => l.fields)).toEqual([
      { count: 1, reason: 'buffer full' },
      { count: 30, reason: 'buffer full' },
      { count: 30, reason: 'buffer full' },
    ])
    expect(t.exporter.stats().dropped).toBe(75)
  })
})

describe('exporter: exported + dropped + failed + queued == pushed', () => {
  test.each([1, 3])('holds after every step of a long seeded run of pushes, answers and time (concurrency %d)', async (concurrency) => {
    const random = seededRandom(7)
    const t = setup({ capacity: 20, batchSize: 5, random, concurrency })
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!
    const partial = (batch: string[]): SendOutcome => {
      const retry: number[] = []
      const failed: Array<{ index: number; reason: string }> = []
      batch.forEach((_, index) => {
        const r = random()
        if (r < 0.3) retry.push(index)
        else if (r < 0.45) failed.push({ index, reason: 'refused' })
      })
      return { kind: 'partial', retry, failed }
    }
    let n = 0
    for (let step = 0; step < 3000; step++) {
      const r = random()
      if (r < 0.35) t.push(`r${n++}`)
      else if (r < 0.6) await t.clock.advance(Math.floor(random() * 700))
      else if (r < 0.85) t.sink.reply(pick<Reply>([OK, RETRY, { kind: 'retry', reason: '429', retryAfterMs: 50 }, partial, new Error('boom'), 'hold']))
      else if (t.sink.holding) t.sink.release(pick([OK, RETRY, partial]))
      await t.clock.settle()
      t.expectBalanced()
      expect(t.exporter.stats().queued).toBeLessThanOrEqual(20)
      expect(t.sink.maxOpen).toBeLessThanOrEqual(concurrency)
    }
    if (concurrency > 1) expect(t.sink.maxOpen).toBe(concurrency)
    // The run went through every path: exports, evictions, refusals and retries.
    const stats = t.exporter.stats()
    for (const count of [stats.exported, stats.dropped, stats.failed, stats.retried]) expect(count).toBeGreaterThan(10)

    const done = t.exporter.shutdown(60_000)
    while (t.sink.holding) t.sink.release(OK)
    await t.clock.advance(60_000)
    expect((await done).queued).toBe(0)
    t.expectBalanced()
  })
})

describe('exporter: shutdown', () => {
  test('delivers everything buffered, in batches, within the deadline', async () => {
    const t = setup({ batchSize: 2 })
    t.push('a', 'b', 'c', 'd', 'e')
    const done = t.exporter.shutdown(1000)
    await t.clock.settle()
    expect(await done).toEqual({ queued: 0, queuedBytes: 0, capacity: 100, exported: 5, dropped: 0, retried: 0, failed: 0 })
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b'] },
      { at: 0, batch: ['c', 'd'] },
      { at: 0, batch: ['e'] },
    ])
  })

  test('waits for the batch in flight, then sends the rest', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    t.push('c')
    const done = t.exporter.shutdown(1000)
    await t.clock.advance(200)
    t.sink.release(OK)
    await t.clock.settle()
    expect(await done).toMatchObject({ queued: 0, exported: 3, dropped: 0 })
    expect(t.sink.sends).toEqual([
      { at: 0, batch: ['a', 'b'] },
      { at: 200, batch: ['c'] },
    ])
  })

  test('retries with backoff until the deadline, then counts what is left as dropped', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply(...Array<Reply>(20).fill(RETRY))
    t.push('a', 'b', 'c')
    const done = t.exporter.shutdown(1000)
    await t.clock.advance(1000)
    expect(await done).toEqual({ queued: 0, queuedBytes: 0, capacity: 100, exported: 0, dropped: 3, retried: 8, failed: 0 })
    expect(t.sendTimes()).toEqual([0, 100, 300, 700])
    expect(t.log.lines).toContainEqual({ level: 'warn', message: 'telemetry records dropped', fields: { count: 3, reason: 'not delivered before the shutdown deadline' } })
    t.expectBalanced()
  })

  test('a sink that never answers cannot hold it past the deadline, and a late answer changes nothing', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    const done = t.exporter.shutdown(500)
    await t.clock.advance(500)
    expect(await done).toMatchObject({ queued: 0, exported: 0, dropped: 2 })
    t.sink.release(OK)
    await t.clock.advance(5000)
    expect(t.exporter.stats()).toMatchObject({ queued: 0, exported: 0, dropped: 2, retried: 0 })
    t.expectBalanced()
  })

  test('is idempotent: a second call waits for the same flush and gets the same stats', async () => {
    const t = setup({ batchSize: 2 })
    t.sink.reply('hold')
    t.push('a', 'b')
    await t.clock.advance(0)
    const first = t.exporter.shutdown(1000)
    const second = t.exporter.shutdown(1000)
    t.sink.release(OK)
    await t.clock.settle()
    const [a, b] = await Promise.all([first, second])
    expect(a).toMatchObject({ queued: 0, exported: 2, dropped: 0 })
    expect(b).toEqual(a)
    expect(await t.exporter.shutdown(1000)).toEqual(a)
    expect(t.sink.sends).toHaveLength(1)
  })

  test('a push after shutdown is counted as dropped and never sent', async () => {
    const t = setup({ batchSize: 1 })
    await t.exporter.shutdown(1000)
    t.push('late')
    await t.clock.advance(10_000)
    expect(t.sink.sends).toEqual([])
    expect(t.exporter.stats()).toMatchObject({ queued: 0, dropped: 1 })
    t.expectBalanced()
  })

  test('keeps the process alive until the flush ends, even while it backs off', async () => {
    // With the real clock: exporter timers are unref'd so they never hold a running gateway
    // open, but during shutdown nothing else may be left to keep the process alive.
    const exporterModule = new URL('../../src/telemetry/exporter.ts', import.meta.url).pathname
    const script = `
      import { createExporter } from ${JSON.stringify(exporterModule)}
      const logger = { error() {}, warn() {}, info() {}, debug() {}, enabled: () => false }
      const sink = { send: async () => ({ kind: 'retry', reason: 'down' }) }
      const exporter = createExporter({ sink, capacity: 10, batchSize: 10, flushIntervalMs: 60000, logger, backoffBaseMs: 40, backoffMaxMs: 40, random: () => 1 })
      exporter.push('a')
      setTimeout(() => exporter.shutdown(200).then((stats) => console.log(JSON.stringify(stats))), 0)
    `
    const child = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ queued: 0, exported: 0, dropped: 1 })
  })
})
