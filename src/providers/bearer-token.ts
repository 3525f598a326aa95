/** The token of an `Authorization: Bearer <token>` header (what the OpenAI SDK sends), if there is one. */
export function bearerToken(authorization: string | null): string | undefined {
  if (authorization === null) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match?.[1]
}
