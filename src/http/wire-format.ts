/**
 * The API a client speaks on a route: decides the shape of the gateway's own errors, the
 * error events that end a failed stream, and how telemetry reads usage from an answer.
 */
export type WireFormat = 'openai' | 'anthropic'
