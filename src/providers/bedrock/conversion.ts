import { invalidRequest } from '../converted'

export type { Converted } from '../converted'

/** A request Bedrock cannot serve as asked: answered with 400 before anything goes upstream. */
export function refuse(message: string, code = 'unsupported_request'): never {
  throw invalidRequest(message, code)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
