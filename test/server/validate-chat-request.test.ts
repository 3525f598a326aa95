import { describe, expect, test } from 'bun:test'
import { GatewayError } from '../../src/server/errors'
import { validateChatRequest } from '../../src/server/validate-chat-request'

describe('validateChatRequest', () => {
  const rows: [string, string, Record<string, unknown> | undefined, string | null][] = [
    ['POST', '/v1/chat/completions', { model: 'm', messages: [] }, null],
    ['POST', '/v1/messages', { model: 'm', messages: [], stream: true }, null],
    ['POST', '/v1/chat/completions', { model: 'm', messages: [], stream: null }, null],
    ['POST', '/v1/embeddings', { input: 'x' }, null],
    ['GET', '/v1/chat/completions', undefined, null],
    ['POST', '/v1/chat/completions', undefined, 'invalid_json'],
    ['POST', '/v1/chat/completions', { messages: [] }, 'invalid_model'],
    ['POST', '/v1/messages', { model: ['m'], messages: [] }, 'invalid_model'],
    ['POST', '/v1/chat/completions', { model: 'm' }, 'invalid_messages'],
    ['POST', '/v1/chat/completions', { model: 'm', messages: 'hi' }, 'invalid_messages'],
    ['POST', '/v1/chat/completions', { model: 'm', messages: [], stream: 1 }, 'invalid_stream'],
  ]
  for (const [method, path, json, code] of rows) {
    test(`${method} ${path} ${JSON.stringify(json)} → ${code ?? 'accepted'}`, () => {
      let thrown: unknown
      try {
        validateChatRequest(method, path, json)
      } catch (error) {
        thrown = error
      }
      if (code === null) return expect(thrown).toBeUndefined()
      expect(thrown).toBeInstanceOf(GatewayError)
      expect((thrown as GatewayError).status).toBe(400)
      expect((thrown as GatewayError).code).toBe(code)
    })
  }
})
