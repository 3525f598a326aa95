import { ProviderRequestError } from '../types'

/** What a conversion produced, plus what it had to leave out (the client's request is still served). */
export interface Converted<T> {
  value: T
  warnings: string[]
}

/** A request Bedrock cannot serve as asked: answered with 400 before anything goes upstream. */
export function refuse(message: string, code = 'unsupported_for_bedrock'): never {
  throw new ProviderRequestError(400, code, message)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
