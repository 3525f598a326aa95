import { describe, expect, test } from 'bun:test'
import { createAnthropicToOpenAIStream } from '../../../src/providers/anthropic/create-anthropic-to-openai-stream'
import { splitEverywhere } from '../../support/chunking'

const CREATED = 1_732_700_000

interface Outcome {
  /** The client-facing bytes, decoded. */
  text: string
  /** How the client-facing stream ended: failures too end cleanly, after their error event. */
  end: 'closed' | 'errored'
}

async function translate(chunks: Uint8Array[]): Promise<Outcome> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  const reader = source.pipeThrough(createAnthropicToOpenAIStream({ created: CREATED })).getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { text: text + decoder.decode(), end: 'closed' }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { text: text + decoder.decode(), end: 'errored' }
  }
}

const translateAll = (chunkings: Uint8Array[][]): Promise<Outcome[]> => Promise.all(chunkings.map(translate))

/** The SSE frames of an OpenAI stream: parsed JSON, or the `[DONE]` marker. */
function frames(text: string): unknown[] {
  expect(text.endsWith('\n\n')).toBe(true)
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true)
      const data = frame.slice('data: '.length)
      return data === '[DONE]' ? data : JSON.parse(data)
    })
}

const fixture = (name: string) => Bun.file(new URL(`fixtures/${name}`, import.meta.url)).text()

const chunkOf = (id: string, model: string) => (delta: object, finish: string | null = null) => ({
  id,
  object: 'chat.completion.chunk',
  created: CREATED,
  model,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
})
const usageOf = (id: string, model: string) => (usage: object) => ({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage })

const text = { chunk: chunkOf('msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', 'claude-sonnet-4-5-20250929'), usage: usageOf('msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', 'claude-sonnet-4-5-20250929') }
const tool = { chunk: chunkOf('msg_014p7gG3wDgGV9EUtLvnow3U', 'claude-sonnet-4-5-20250929'), usage: usageOf('msg_014p7gG3wDgGV9EUtLvnow3U', 'claude-sonnet-4-5-20250929') }
const broken = (id: string) => ({ chunk: chunkOf(id, 'claude-haiku-4-5'), usage: usageOf(id, 'claude-haiku-4-5') })
const midError = broken('msg_01ErrorMidStream')
const cut = broken('msg_01Truncated')
const smallUsage = { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } }

/** `failed`: the stream ends with an error event (and no [DONE]). */
const cases: Array<{ name: string; file: string; frames: unknown[]; failed: boolean }> = [
  {
    name: 'text with a ping and multi-byte characters',
    file: 'text.sse',
    failed: false,
    frames: [
      text.chunk({ role: 'assistant', content: '' }),
      text.chunk({ content: 'Hello' }),
      text.chunk({ content: ' wörld 👋!' }),
      text.chunk({}, 'stop'),
      text.usage({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } }),
      '[DONE]',
    ],
  },
  {
    name: 'thinking skipped, text, then two tool calls with input_json_delta, cache usage',
    file: 'tool-use.sse',
    failed: false,
    frames: [
      tool.chunk({ role: 'assistant', content: '' }),
      tool.chunk({ content: 'Okay, let me check.' }),
      tool.chunk({ tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      tool.chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      tool.chunk({ tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA"}' } }] }),
      tool.chunk({ tool_calls: [{ index: 1, id: 'toolu_02AbCdEf', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      tool.chunk({ tool_calls: [{ index: 1, function: { arguments: '{"tz": "PST"}' } }] }),
      tool.chunk({}, 'tool_calls'),
      tool.usage({
        prompt_tokens: 2572,
        completion_tokens: 89,
        total_tokens: 2661,
        prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
      '[DONE]',
    ],
  },
  {
    name: 'an error event mid-stream: usage so far (the input was billed), then an OpenAI error event, then the end',
    file: 'error-mid-stream.sse',
    failed: true,
    frames: [
      midError.chunk({ role: 'assistant', content: '' }),
      midError.chunk({ content: 'Once upon' }),
      midError.usage(smallUsage),
      { error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: 'overloaded_error' } },
    ],
  },
  {
    name: 'a stream cut inside an event: an error event, never [DONE]',
    file: 'truncated.sse',
    failed: true,
    frames: [
      cut.chunk({ role: 'assistant', content: '' }),
      cut.chunk({ content: 'Once upon' }),
      cut.usage(smallUsage),
      { error: { message: 'Anthropic stream broken: the stream ended before message_stop', type: 'upstream_error', param: null, code: 'upstream_stream_broken' } },
    ],
  },
]

describe('createAnthropicToOpenAIStream', () => {
  for (const { name, file, frames: expected, failed } of cases) {
    for (const lineEnding of ['LF', 'CRLF'] as const) {
      test(`${name} (${lineEnding}): the same bytes whole, byte by byte, at every split point and at random splits`, async () => {
        let wire = await fixture(file)
        if (lineEnding === 'CRLF') wire = wire.replaceAll('\n', '\r\n')
        const bytes = new TextEncoder().encode(wire)
        const whole = await translate([bytes])
        expect(whole.end).toBe('closed')
        expect(frames(whole.text)).toEqual(expected)
        expect(whole.text.includes('[DONE]')).toBe(!failed)
        expect(Object.hasOwn(frames(whole.text).at(-1) as object, 'error')).toBe(failed)
        const chunkings = [...splitEverywhere(bytes)]
        expect(chunkings).toHaveLength(bytes.length + 21)
        for (const [i, outcome] of (await translateAll(chunkings)).entries()) {
          if (outcome.text !== whole.text || outcome.end !== whole.end) expect({ chunks: chunkings[i]!.length, ...outcome }).toEqual({ chunks: chunkings[i]!.length, ...whole })
        }
      })
    }
  }

  const edgeCases: Array<{ name: string; wire: string; frames: unknown[] }> = [
    {
      name: 'pings only, then the end',
      wire: 'event: ping\ndata: {"type": "ping"}\n\nevent: ping\ndata: {"type": "ping"}\n\n',
      frames: [{ error: { message: 'Anthropic stream broken: the stream ended before message_start', type: 'upstream_error', param: null, code: 'upstream_stream_broken' } }],
    },
    {
      name: 'content before message_start',
      wire: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}\n\n',
      frames: [{ error: { message: 'Anthropic stream broken: content_block_delta before message_start', type: 'upstream_error', param: null, code: 'upstream_stream_broken' } }],
    },
    {
      name: 'data that is not JSON',
      wire: 'event: message_start\ndata: {not json\n\n',
      frames: [{ error: { message: 'Anthropic stream broken: event "message_start" carries data that is not JSON', type: 'upstream_error', param: null, code: 'upstream_stream_broken' } }],
    },
    {
      name: 'a payload whose type is not a string is read by its event name',
      wire: 'event: content_block_delta\ndata: {"type":7}\n\n',
      frames: [{ error: { message: 'Anthropic stream broken: content_block_delta before message_start', type: 'upstream_error', param: null, code: 'upstream_stream_broken' } }],
    },
    {
      name: 'a duplicate message_start and an unknown event type are skipped',
      wire:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_a","model":"m","usage":{"input_tokens":1,"output_tokens":0}}}\n\n' +
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_b","model":"n","usage":{"input_tokens":9}}}\n\n' +
        'event: brand_new_event\ndata: {"type":"brand_new_event"}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":3}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      frames: [
        chunkOf('msg_a', 'm')({ role: 'assistant', content: '' }),
        chunkOf('msg_a', 'm')({}, 'length'),
        // The repeated start changes nothing, not even the usage.
        usageOf('msg_a', 'm')({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4, prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null } }),
        '[DONE]',
      ],
    },
    {
      name: 'a tool call without arguments gets "{}" at its block\'s end, as its JSON answer has: clients parse them',
      wire:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_t","model":"m","usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}\n\n' +
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      frames: [
        chunkOf('msg_t', 'm')({ role: 'assistant', content: '' }),
        chunkOf('msg_t', 'm')({ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'now', arguments: '' } }] }),
        chunkOf('msg_t', 'm')({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
        chunkOf('msg_t', 'm')({}, 'tool_calls'),
        usageOf('msg_t', 'm')({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null } }),
        '[DONE]',
      ],
    },
  ]
  for (const { name, wire, frames: expected } of edgeCases) {
    test(`${name}`, async () => {
      const bytes = new TextEncoder().encode(wire)
      for (const outcome of await translateAll([...splitEverywhere(bytes, 5)])) {
        expect(outcome.end).toBe('closed')
        expect(frames(outcome.text)).toEqual(expected)
      }
    })
  }

  test('after an error event the upstream is cancelled, not read to its end', async () => {
    const cancelled = Promise.withResolvers<void>()
    const source = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode(await fixture('error-mid-stream.sse')))
        // Never closes: only a cancel ends this upstream (without one, this test times out).
      },
      cancel: () => cancelled.resolve(),
    })
    const text = await new Response(source.pipeThrough(createAnthropicToOpenAIStream({ created: CREATED }))).text()
    expect(frames(text).at(-1)).toEqual({ error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: 'overloaded_error' } })
    await cancelled.promise
  })

  test('bytes after message_stop are ignored', async () => {
    const wire = (await fixture('text.sse')) + 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}\n\n'
    const outcome = await translate([new TextEncoder().encode(wire)])
    expect(outcome.end).toBe('closed')
    expect(outcome.text).not.toContain('late')
    expect(outcome.text.endsWith('data: [DONE]\n\n')).toBe(true)
  })
})
