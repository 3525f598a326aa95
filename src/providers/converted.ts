import { ProviderRequestError } from './types'

/**
 * What a request or response conversion returns: the value, plus one warning for each thing
 * it had to leave out (a field the other API has no place for), so a caller can record it.
 * A conversion that cannot be done at all throws `invalidRequest` instead.
 */
export interface Converted<T> {
  value: T
  warnings: string[]
}

/**
 * A request the target API cannot express, refused with 400 before anything goes upstream.
 * `code` is the stable machine-readable name clients may branch on.
 */
export function invalidRequest(message: string, code = 'unsupported_request'): ProviderRequestError {
  return new ProviderRequestError(400, code, message)
}
