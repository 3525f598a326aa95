import { describe, expect, test } from 'bun:test'
import { convertToBedrockMessages } from '../../../src/providers/bedrock/convert-to-bedrock-messages'
import { refusal } from '../../support/refusal'

const PNG = 'iVBORw0KGgo='

const cases: Array<{ name: string; input: unknown[]; system?: unknown[]; messages: unknown[]; warnings?: string[]; hasToolBlocks?: boolean }> = [
  {
    name: 'system and developer messages become system blocks, the Rust gateway dropped them',
    input: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
      { role: 'user', content: 'Hi' },
    ],
    system: [{ text: 'Be brief.' }, { text: 'Use French.' }],
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
  },
  {
    name: 'a system message after the start is moved up, with a warning',
    input: [
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Late rule.' },
    ],
    system: [{ text: 'Late rule.' }],
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    warnings: ['system messages after the conversation start were moved to the system prompt'],
  },
  {
    name: 'consecutive turns of one role merge, so roles alternate',
    input: [
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'three' },
      { role: 'assistant', content: [{ type: 'refusal', refusal: 'four' }] },
    ],
    messages: [
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }] },
      { role: 'assistant', content: [{ text: 'three' }, { text: 'four' }] },
    ],
  },
  {
    name: 'tool calls become toolUse; tool results and the next user message form one user turn',
    input: [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          { id: 'c2', type: 'function', function: { name: 'time', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '-3°C' },
      { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: '09:00' }] },
      { role: 'user', content: 'Thanks' },
    ],
    messages: [
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'c1', name: 'weather', input: { city: 'Oslo' } } }, { toolUse: { toolUseId: 'c2', name: 'time', input: {} } }],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'c1', content: [{ text: '-3°C' }] } }, { toolResult: { toolUseId: 'c2', content: [{ text: '09:00' }] } }, { text: 'Thanks' }],
      },
    ],
    hasToolBlocks: true,
  },
  {
    name: 'images: data URLs become base64 bytes with their format (jpg is jpeg)',
    input: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: `data:image/jpg;base64,${PNG}`, detail: 'high' } },
        ],
      },
    ],
    messages: [
      {
        role: 'user',
        content: [{ text: 'Compare' }, { image: { format: 'png', source: { bytes: PNG } } }, { image: { format: 'jpeg', source: { bytes: PNG } } }],
      },
    ],
  },
  {
    name: 'empty text is left out (Bedrock rejects blank text); an empty turn is skipped with a warning',
    input: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '' },
      { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'again' }] },
    ],
    messages: [{ role: 'user', content: [{ text: 'Hi' }, { text: 'again' }] }],
    warnings: ['an empty message was left out'],
  },
  {
    name: 'participant names are ignored with a warning',
    input: [{ role: 'user', name: 'alice', content: 'Hi' }],
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    warnings: ['messages[0].name was ignored: Bedrock messages carry no participant names'],
  },
]

describe('convertToBedrockMessages', () => {
  for (const { name, input, system = [], messages, warnings = [], hasToolBlocks = false } of cases) {
    test(name, () => {
      expect(convertToBedrockMessages(input)).toEqual({ value: { system, messages, hasToolBlocks }, warnings } as never)
    })
  }
})

const refused: Array<{ name: string; input: unknown; status: number; message: string }> = [
  { name: 'no messages', input: [], status: 400, message: 'non-empty array' },
  { name: 'messages not an array', input: 'hi', status: 400, message: 'non-empty array' },
  { name: 'only a system prompt', input: [{ role: 'system', content: 'x' }], status: 400, message: 'at least one user or assistant message' },
  { name: 'an unknown role', input: [{ role: 'robot', content: 'x' }], status: 400, message: 'messages[0].role' },
  { name: 'the deprecated function role', input: [{ role: 'function', name: 'f', content: 'x' }], status: 400, message: '"function" role' },
  { name: 'an image link instead of a data URL', input: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }], status: 400, message: 'data URL' },
  { name: 'an image format Bedrock lacks', input: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }], status: 400, message: 'not image/bmp' },
  { name: 'a data URL that is not base64', input: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }], status: 400, message: 'not a base64 data URL' },
  { name: 'audio input', input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }], status: 400, message: '"input_audio" parts are not supported' },
  {
    name: 'tool arguments that are not JSON',
    input: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }],
    status: 400,
    message: 'not valid JSON',
  },
  {
    name: 'tool arguments that are not an object',
    input: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }],
    status: 400,
    message: 'must be a JSON object',
  },
  { name: 'a tool result without tool_call_id', input: [{ role: 'tool', content: 'x' }], status: 400, message: 'tool_call_id' },
  { name: 'an image part in a system message', input: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }], status: 400, message: 'text part' },
]

describe('convertToBedrockMessages refuses what Bedrock cannot take', () => {
  for (const { name, input, status, message } of refused) {
    test(name, () => expect(refusal(() => convertToBedrockMessages(input))).toMatchObject({ status, message: expect.stringContaining(message) }))
  }
})

describe('convertToBedrockMessages with a million content parts', () => {
  test('two user turns merge into one of 1,000,001 blocks without overflowing the stack', () => {
    const parts = Array.from({ length: 1_000_000 }, () => ({ type: 'text', text: 'a' }))
    const { value } = convertToBedrockMessages([
      { role: 'user', content: 'hi' },
      { role: 'user', content: parts },
    ])
    expect(value.messages).toHaveLength(1)
    expect(value.messages[0]!.content).toHaveLength(1_000_001)
  })
})
