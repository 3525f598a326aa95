import { Type, type Static } from '@sinclair/typebox'

/**
 * Every setting of the gateway, by its environment variable name. Values come from the
 * environment or a `.env` in the working directory (the real environment wins); `--help`
 * prints this schema, so each setting carries its default and a description.
 */

const url = (fallback: string, description: string) =>
  Type.String({ default: fallback, pattern: '^https?://[^\\s]+$', description })

const milliseconds = (fallback: number, description: string) =>
  Type.Integer({ default: fallback, minimum: 0, description })

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'TCP port to listen on (0 picks a free port)' }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address to bind; 0.0.0.0 for every interface' }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), {
    default: 'info',
    description: 'error | warn | info | debug | trace (RUST_LOG is read as an alias)',
  }),
  DEPLOYMENT_ENVIRONMENT: Type.String({ default: 'development', description: 'Recorded in telemetry as deployment.environment' }),

  FIRST_BYTE_TIMEOUT_MS: milliseconds(600_000, 'Longest wait for the upstream response headers; then 504'),
  IDLE_TIMEOUT_MS: milliseconds(600_000, 'Longest silence inside an upstream response body; then the stream is aborted'),
  MAX_REQUEST_BODY_BYTES: Type.Integer({ default: 32 * 1024 * 1024, minimum: 1, description: 'Larger request bodies get 413' }),
  SHUTDOWN_TIMEOUT_MS: milliseconds(30_000, 'On SIGTERM/SIGINT, how long in-flight requests may take to finish'),

  OPENAI_BASE_URL: url('https://api.openai.com', 'OpenAI; the incoming /v1/... path and query are appended'),
  GROQ_BASE_URL: url('https://api.groq.com/openai', 'Groq'),
  TOGETHER_BASE_URL: url('https://api.together.xyz', 'Together AI'),
  FIREWORKS_BASE_URL: url('https://api.fireworks.ai/inference', 'Fireworks AI'),
  MISTRAL_BASE_URL: url('https://api.mistral.ai', 'Mistral'),
  DEEPSEEK_BASE_URL: url('https://api.deepseek.com', 'DeepSeek'),
  XAI_BASE_URL: url('https://api.x.ai', 'xAI'),
  OPENROUTER_BASE_URL: url('https://openrouter.ai/api', 'OpenRouter'),
  PERPLEXITY_BASE_URL: url('https://api.perplexity.ai', 'Perplexity (serves without the /v1 prefix; the gateway drops it)'),
  CEREBRAS_BASE_URL: url('https://api.cerebras.ai', 'Cerebras'),
})

export type ConfigEnv = Static<typeof ConfigSchema>
export type LogLevel = (typeof LOG_LEVELS)[number]
