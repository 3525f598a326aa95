import { describe, expect, test } from 'bun:test'
import { parseToolArguments } from '../../src/providers/parse-tool-arguments'
import { refusal } from '../support/refusal'

const parsed: Array<[string, unknown, Record<string, unknown>]> = [
  ['a JSON object', '{"city":"Paris","days":[1,2]}', { city: 'Paris', days: [1, 2] }],
  ['an empty object', '{}', {}],
  ['absent: no arguments', undefined, {}],
  ['null: no arguments', null, {}],
  ['empty: no arguments', '', {}],
  ['blank: no arguments', ' \n ', {}],
]

const refused: Array<[string, unknown, string]> = [
  ['not JSON', '{oops', 'messages[1].tool_calls[0].function.arguments is not valid JSON'],
  ['a JSON array', '[1]', 'messages[1].tool_calls[0].function.arguments must be a JSON object'],
  ['a JSON string', '"x"', 'messages[1].tool_calls[0].function.arguments must be a JSON object'],
  ['JSON null', 'null', 'messages[1].tool_calls[0].function.arguments must be a JSON object'],
  ['an object instead of a string', { city: 'Paris' }, 'messages[1].tool_calls[0].function.arguments must be a JSON string'],
]

describe('parseToolArguments', () => {
  for (const [name, args, expected] of parsed) test(name, () => expect(parseToolArguments(args, 'messages[1].tool_calls[0]')).toEqual(expected))
  for (const [name, args, message] of refused) {
    test(`refused with 400: ${name}`, () => {
      expect(refusal(() => parseToolArguments(args, 'messages[1].tool_calls[0]'))).toMatchObject({ status: 400, code: 'invalid_tool_calls', message })
    })
  }
})
