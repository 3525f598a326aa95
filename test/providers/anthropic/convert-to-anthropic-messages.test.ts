import { describe, expect, test } from 'bun:test'
import { convertToAnthropicMessages, type AnthropicPrompt } from '../../../src/providers/anthropic/convert-to-anthropic-messages'
import { refusal } from '../../support/refusal'

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

const cases: Array<{ name: string; messages: unknown[]; expected: AnthropicPrompt; warnings?: number }> = [
  {
    name: 'system and developer messages become the system prompt',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: 'Hi' },
    ],
    expected: {
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    },
  },
  {
    name: 'a multi-turn conversation keeps its order',
    messages: [
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'And 3+3?' },
    ],
    expected: {
      system: undefined,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is 2+2?' }] },
        { role: 'assistant', content: [{ type: 'text', text: '4' }] },
        { role: 'user', content: [{ type: 'text', text: 'And 3+3?' }] },
      ],
    },
  },
  {
    name: 'consecutive turns of one role are merged',
    messages: [
      { role: 'user', content: 'First' },
      { role: 'user', content: [{ type: 'text', text: 'Second' }] },
      { role: 'assistant', content: 'A' },
      { role: 'assistant', content: 'B' },
    ],
    expected: {
      system: undefined,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'First' }, { type: 'text', text: 'Second' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
      ],
    },
  },
  {
    name: 'assistant tool calls become tool_use blocks, tool results fold into one user turn',
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24°C' }] },
      { role: 'user', content: 'Which is warmer?' },
    ],
    expected: {
      system: undefined,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24°C' }] },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
    },
  },
  {
    name: 'assistant text with tool calls, empty arguments meaning {}',
    messages: [
      { role: 'user', content: 'Time?' },
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'now', arguments: '' } }] },
    ],
    expected: {
      system: undefined,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Time?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'call_9', name: 'now', input: {} },
          ],
        },
      ],
    },
  },
  {
    name: 'images: data URLs as base64, http(s) URLs as url sources',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ],
    expected: {
      system: undefined,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    },
  },
  {
    name: 'a PDF file part becomes a document',
    messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }] }],
    expected: {
      system: undefined,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' }] }],
    },
  },
  {
    name: 'a system message inside the conversation is moved up, with a warning',
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Be brief.' },
    ],
    expected: { system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    warnings: 1,
  },
  {
    name: 'names, refusals and empty messages are dropped with warnings',
    messages: [
      { role: 'user', content: 'Hi', name: 'alice' },
      { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      { role: 'user', content: '' },
      { role: 'assistant', content: 'Hello' },
    ],
    expected: {
      system: undefined,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
      ],
    },
    // name, refusal part, empty assistant, empty user
    warnings: 4,
  },
]

const refused: Array<{ name: string; messages: unknown; message: RegExp }> = [
  { name: 'not an array', messages: 'hi', message: /messages must be a non-empty array/ },
  { name: 'empty', messages: [], message: /messages must be a non-empty array/ },
  { name: 'only a system prompt', messages: [{ role: 'system', content: 'x' }], message: /at least one user or assistant message/ },
  { name: 'unknown role', messages: [{ role: 'robot', content: 'x' }], message: /messages\[0\]\.role/ },
  { name: 'legacy function role', messages: [{ role: 'function', name: 'f', content: 'x' }], message: /legacy function messages/ },
  { name: 'not an object', messages: [null], message: /messages\[0\] must be an object/ },
  { name: 'audio input', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }], message: /no audio input/ },
  { name: 'an image in a system message', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, { role: 'user', content: 'x' }], message: /must be a text part/ },
  { name: 'unsupported image type', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }], message: /image\/tiff is not supported/ },
  { name: 'an image URL that is neither http nor data', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }], message: /http\(s\) URL or a base64 data URL/ },
  { name: 'an OpenAI file id', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }], message: /file ids belong to OpenAI/ },
  { name: 'tool call arguments that are not JSON', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }], message: /not valid JSON/ },
  { name: 'tool call arguments that are not an object', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }], message: /must be a JSON object/ },
  { name: 'a tool message without tool_call_id', messages: [{ role: 'tool', content: 'x' }], message: /tool_call_id is required/ },
  { name: 'a tool result with an image', messages: [{ role: 'tool', tool_call_id: 'c', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }], message: /must be a text part/ },
]

describe('convertToAnthropicMessages', () => {
  for (const { name, messages, expected, warnings = 0 } of cases) {
    test(name, () => {
      const converted = convertToAnthropicMessages(messages)
      expect(converted.value).toEqual(expected)
      expect(converted.warnings).toHaveLength(warnings)
    })
  }
  for (const { name, messages, message } of refused) {
    test(`refused with 400: ${name}`, () => {
      const thrown = refusal(() => convertToAnthropicMessages(messages))
      expect(thrown.status).toBe(400)
      expect(thrown.message).toMatch(message)
    })
  }
})

describe('convertToAnthropicMessages with a million content parts', () => {
  test('a user turn and a system prompt of 1,000,000 parts each are merged without overflowing the stack', () => {
    const parts = Array.from({ length: 1_000_000 }, () => ({ type: 'text', text: 'a' }))
    const { value } = convertToAnthropicMessages([
      { role: 'system', content: 'be brief' },
      { role: 'system', content: parts },
      { role: 'user', content: 'hi' },
      { role: 'user', content: parts },
    ])
    expect(value.system).toHaveLength(1_000_001)
    expect(value.messages).toHaveLength(1)
    expect(value.messages[0]!.content).toHaveLength(1_000_001)
  })
})
