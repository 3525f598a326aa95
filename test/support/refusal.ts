import { expect } from 'bun:test'

/** The error a conversion refused a request with: it must carry an HTTP status and a code. */
export function refusal(convert: () => unknown): { status: number; code: string; message: string } {
  let thrown: unknown
  try {
    convert()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(Error)
  const { status, code, message } = thrown as { status: number; code: string; message: string }
  expect(typeof status).toBe('number')
  expect(typeof code).toBe('string')
  return { status, code, message }
}
