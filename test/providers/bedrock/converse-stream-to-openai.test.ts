import { describe, expect, test } from 'bun:test'
import { createConverseStreamToOpenAIStream } from '../../../src/providers/bedrock/converse-stream-to-openai'
import { splitEverywhere } from '../../support/chunking'
import { converseStreamFrames, DEFAULT_BEDROCK_SCENARIO, encodeEventFrame, encodeExceptionFrame, type BedrockScenario } from '../../support/mock-bedrock'

const identity = { id: 'chatcmpl-r1', created: 1_700_000_000, model: 'anthropic.claude-3-haiku-20240307-v1:0' }
const base = { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1_700_000_000, model: identity.model }
const delta = (d: unknown, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] })

async function translate(chunks: Uint8Array[]): Promise<{ events: unknown[]; errored: boolean }> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  const decoder = new TextDecoder()
  let text = ''
  let errored = false
  try {
    for await (const chunk of source.pipeThrough(createConverseStreamToOpenAIStream(identity))) text += decoder.decode(chunk, { stream: true })
  } catch {
    errored = true
  }
  const events = text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event).toStartWith('data: ')
      const data = event.slice('data: '.length)
      return data === '[DONE]' ? data : JSON.parse(data)
    })
  return { events, errored }
}

const scenario = (changes: Partial<BedrockScenario>): BedrockScenario => ({ ...structuredClone(DEFAULT_BEDROCK_SCENARIO), ...changes })

describe('createConverseStreamToOpenAIStream', () => {
  test('text: role, deltas, finish reason, usage chunk, [DONE], for every split of the bytes', async () => {
    const wire = Buffer.concat(converseStreamFrames(scenario({ text: ['Hel', 'lo ', '世界'], usage: { inputTokens: 3, outputTokens: 2, totalTokens: 9, cacheReadInputTokens: 4 } })))
    const expected = [
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hel' }),
      delta({ content: 'lo ' }),
      delta({ content: '世界' }),
      delta({}, 'stop'),
      { ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 4 } } },
      '[DONE]',
    ]
    let runs = 0
    for (const chunks of splitEverywhere(wire, 30)) {
      expect(await translate(chunks)).toEqual({ events: expected, errored: false })
      runs++
    }
    expect(runs).toBe(wire.length + 1 + 30)
  })

  test('a tool call: start with id and name, argument pieces by tool index, tool_calls finish', async () => {
    const wire = Buffer.concat(
      converseStreamFrames(scenario({ text: ['Let me check.'], toolUse: { toolUseId: 'tu_1', name: 'weather', input: { city: 'Lima' }, inputChunks: 2 }, stopReason: 'tool_use' })),
    )
    const { events, errored } = await translate([wire])
    expect(errored).toBe(false)
    expect(events.slice(1, -2)).toEqual([
      delta({ content: 'Let me check.' }),
      delta({ tool_calls: [{ index: 0, id: 'tu_1', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Lima"}' } }] }),
      delta({}, 'tool_calls'),
    ])
  })

  test('a tool call without arguments gets "{}" at its block\'s end, as its JSON answer has: clients parse them', async () => {
    const frames = [
      encodeEventFrame('messageStart', { role: 'assistant' }),
      encodeEventFrame('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tu_1', name: 'now' } } }),
      encodeEventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '' } } }),
      encodeEventFrame('contentBlockStop', { contentBlockIndex: 0 }),
      encodeEventFrame('messageStop', { stopReason: 'tool_use' }),
    ]
    const { events, errored } = await translate(frames)
    expect(errored).toBe(false)
    expect(events.slice(1, -2)).toEqual([
      delta({ tool_calls: [{ index: 0, id: 'tu_1', type: 'function', function: { name: 'now', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
      delta({}, 'tool_calls'),
    ])
  })

  test('without a metadata event the usage chunk still ends the stream, with usage null (unknown, not 0)', async () => {
    const frames = converseStreamFrames(scenario({ text: ['x'] })).slice(0, -1)
    const { events } = await translate(frames)
    expect(events.slice(-2)).toEqual([{ ...base, choices: [], usage: null }, '[DONE]'])
  })

  test('events this translator does not know are skipped', async () => {
    const frames = converseStreamFrames(scenario({ text: ['x'] }))
    frames.splice(1, 0, encodeEventFrame('someFutureEvent', { anything: true }))
    const { events, errored } = await translate(frames)
    expect(errored).toBe(false)
    expect(events.slice(0, 2)).toEqual([delta({ role: 'assistant', content: '' }), delta({ content: 'x' })])
  })

  test('an exception frame: the deltas before it, an OpenAI error event, then the end of the stream without [DONE]', async () => {
    const frames = [...converseStreamFrames(scenario({ text: ['a', 'b', 'c'] })).slice(0, 2), encodeExceptionFrame('modelStreamErrorException', 'Model went away')]
    for (const chunks of splitEverywhere(Buffer.concat(frames), 10)) {
      expect(await translate(chunks)).toEqual({
        events: [
          delta({ role: 'assistant', content: '' }),
          delta({ content: 'a' }),
          { error: { message: 'Model went away', type: 'server_error', param: null, code: 'modelStreamErrorException' } },
        ],
        errored: false,
      })
    }
  })

  test('a corrupted CRC: an error event, then the end', async () => {
    const wire = Uint8Array.from(Buffer.concat(converseStreamFrames(scenario({ text: ['a'] }))))
    wire[wire.length - 2]! ^= 0xff
    const { events, errored } = await translate([wire])
    expect(errored).toBe(false)
    expect(events.at(-1)).toMatchObject({ error: { type: 'upstream_error', code: 'bedrock_stream_corrupt' } })
    expect(events).not.toContain('[DONE]')
  })

  test('a truncated final frame: an error event, then the end', async () => {
    const wire = Buffer.concat(converseStreamFrames(scenario({ text: ['a'] })))
    const { events, errored } = await translate([wire.subarray(0, wire.length - 10)])
    expect(errored).toBe(false)
    expect(events.at(-1)).toEqual({ error: { message: "Bedrock's event stream ended inside a message", type: 'upstream_error', param: null, code: 'bedrock_stream_truncated' } })
    expect(events).not.toContain('[DONE]')
  })

  test('after an exception frame the upstream is cancelled, not read to its end', async () => {
    const cancelled = Promise.withResolvers<void>()
    const frames = [...converseStreamFrames(scenario({ text: ['a'] })).slice(0, 2), encodeExceptionFrame('modelStreamErrorException', 'Model went away')]
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const frame of frames) controller.enqueue(frame)
        // Never closes: only a cancel ends this upstream (without one, this test times out).
      },
      cancel: () => cancelled.resolve(),
    })
    const text = await new Response(source.pipeThrough(createConverseStreamToOpenAIStream(identity))).text()
    expect(text.endsWith(`data: ${JSON.stringify({ error: { message: 'Model went away', type: 'server_error', param: null, code: 'modelStreamErrorException' } })}\n\n`)).toBe(true)
    await cancelled.promise
  })
})
