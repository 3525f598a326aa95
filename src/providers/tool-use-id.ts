const VALID = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * A tool call's id as Anthropic and Bedrock take it: `[a-zA-Z0-9_-]`, at most 64 characters for
 * Bedrock. Ids made by other providers (Kimi's `functions.get_weather:0`) would be refused with a
 * 400 when a conversation moves to them; they are mapped the same way for a call and its result,
 * so the two still pair up, with a hash of the original so that two ids cannot become one.
 */
export function toolUseId(id: string): string {
  if (VALID.test(id)) return id
  return `${id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 48)}_${Bun.hash(id).toString(36)}`
}
