import { describe, expect, test } from 'bun:test'
import { bedrockErrorMessage, convertBedrockError } from '../../../src/providers/bedrock/convert-bedrock-error'

const NS = ':http://internal.amazon.com/coral/com.amazon.bedrock/'

const table: Array<{ name: string; errorType: string | null; message?: string; status: number; type: string; code: string; text?: string }> = [
  { name: 'validation (namespace cut off)', errorType: `ValidationException${NS}`, message: 'bad', status: 400, type: 'invalid_request_error', code: 'ValidationException' },
  { name: 'access denied', errorType: 'AccessDeniedException', message: 'no', status: 403, type: 'permission_error', code: 'AccessDeniedException' },
  { name: 'unknown key', errorType: 'UnrecognizedClientException', message: 'no', status: 403, type: 'authentication_error', code: 'UnrecognizedClientException' },
  { name: 'throttling', errorType: 'ThrottlingException', message: 'slow', status: 429, type: 'rate_limit_error', code: 'ThrottlingException' },
  { name: 'a stream exception name in camelCase', errorType: 'throttlingException', message: 'slow', status: 500, type: 'rate_limit_error', code: 'throttlingException' },
  { name: 'model timeout', errorType: 'ModelTimeoutException', message: 't', status: 408, type: 'timeout_error', code: 'ModelTimeoutException' },
  { name: 'an unknown name falls back on the status', errorType: 'NewException', message: 'x', status: 404, type: 'not_found_error', code: 'NewException' },
  { name: 'a server error', errorType: 'InternalServerException', message: 'x', status: 500, type: 'server_error', code: 'InternalServerException' },
  { name: 'no error type and no message', errorType: null, status: 502, type: 'server_error', code: 'http_502', text: 'Bedrock answered with status 502' },
]

describe('convertBedrockError', () => {
  for (const { name, errorType, message, status, type, code, text } of table) {
    test(name, () => {
      expect(convertBedrockError(errorType, message, status)).toEqual({ error: { message: text ?? message!, type, param: null, code } })
    })
  }
})

describe('bedrockErrorMessage', () => {
  const rows: Array<[string, string | undefined]> = [
    ['{"message":"Input is too long"}', 'Input is too long'],
    ['{"Message":"User is not authorized"}', 'User is not authorized'],
    ['<html>502 Bad Gateway</html>', '<html>502 Bad Gateway</html>'],
    ['', undefined],
    ['x'.repeat(600), `${'x'.repeat(500)}…`],
  ]
  for (const [body, message] of rows) test(`${body.slice(0, 40) || '(empty)'}`, () => expect(bedrockErrorMessage(body)).toBe(message as never))
})
