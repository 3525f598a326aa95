/** Error texts may quote the node URL; credentials embedded in it never reach a log line. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\/\/[^/@\s]+@/g, '//***@')
}
