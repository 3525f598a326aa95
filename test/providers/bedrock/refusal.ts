import { expect } from 'bun:test'
import { ProviderRequestError } from '../../../src/providers/types'

/** Runs `convert` and expects it to refuse the request with `status` and a message containing `message`. */
export function expectRefusal(convert: () => unknown, status: number, message: string): void {
  let error: unknown
  try {
    convert()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(ProviderRequestError)
  expect((error as ProviderRequestError).status).toBe(status)
  expect((error as ProviderRequestError).message).toContain(message)
}
