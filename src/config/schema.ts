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

/** Region names go into a host name, so only their documented shape is accepted ('' = unset). */
const awsRegion = (description: string) => Type.String({ default: '', pattern: '^([a-z]{2}(-[a-z]+)+-[0-9]+)?$', description })

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
  IDLE_TIMEOUT_MS: milliseconds(600_000, 'Longest silence inside an upstream response body; then the stream is aborted (an answer of known size up to 4 MiB, read whole, must arrive within it)'),
  MAX_REQUEST_BODY_BYTES: Type.Integer({ default: 32 * 1024 * 1024, minimum: 1, description: 'Larger request bodies get 413' }),
  SHUTDOWN_TIMEOUT_MS: milliseconds(30_000, 'On SIGTERM/SIGINT, how long in-flight requests may take to finish'),
  WORKERS: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 1024 })], {
    default: 1,
    description: 'Processes serving the port together (reusePort); auto = one per CPU core. Above 1 a supervisor restarts crashed workers, and /metrics sums them all',
  }),
  METRICS_ENABLED: Type.Boolean({ default: true, description: 'Serve Prometheus metrics at GET /metrics' }),
  METRICS_PORT: Type.Union([Type.Literal(''), Type.Integer({ minimum: 0, maximum: 65535 })], {
    default: '',
    description: 'Serve /metrics on this port (bound to HOST) instead of the main one; empty: the main port. With several workers their supervisor serves it',
  }),
  CORS_ORIGINS: Type.String({
    default: '',
    pattern: '^(\\*|https?://[^/\\s,]+(\\s*,\\s*https?://[^/\\s,]+)*)?$',
    description: 'Browser origins allowed by CORS: * or a comma list such as https://app.example.com; empty: no CORS headers at all',
  }),

  GATEWAY_CONFIG: Type.String({ default: '', description: 'YAML or JSON routing file: server-side provider keys, gateway keys with rate limits, model aliases (reloaded on SIGHUP and on change)' }),
  GATEWAY_API_KEYS: Type.String({ default: '', description: 'Comma-separated keys clients must present as Authorization: Bearer <key>; never logged' }),
  GATEWAY_AUTH: Type.Union([Type.Literal('keys'), Type.Literal('none')], {
    default: 'keys',
    description: 'keys | none. none allows server-side provider keys without gateway keys (anyone reaching the port spends them)',
  }),

  ENABLE_ELASTICSEARCH: Type.Boolean({ default: false, description: 'Ship one telemetry document per request to Elasticsearch' }),
  ELASTICSEARCH_URL: url('http://localhost:9200', 'Elasticsearch node (8.x or 9.x)'),
  ELASTICSEARCH_USERNAME: Type.String({ default: '', description: 'Basic auth user (empty: no auth)' }),
  ELASTICSEARCH_PASSWORD: Type.String({ default: '', description: 'Basic auth password; never logged' }),
  // A fixed name may not end in '-', '_' or '.': its set-up names the write alias without them,
  // and records would go beside that alias, into an index of their own.
  ELASTICSEARCH_INDEX: Type.String({
    default: 'ai-gateway-metrics',
    pattern: '^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$|^[a-z0-9][a-z0-9._-]*\\{yyyy\\.MM(\\.dd)?\\}$',
    description: 'Index name (written through a rolled-over alias) or a daily pattern such as ai-gateway-metrics-{yyyy.MM.dd}',
  }),
  ELASTICSEARCH_BATCH_SIZE: Type.Integer({ default: 500, minimum: 1, description: 'Records per _bulk request; a full batch is sent at once' }),
  ELASTICSEARCH_FLUSH_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 1, description: 'A batch is sent at the latest this long after its oldest record' }),
  ELASTICSEARCH_CONCURRENT_REQUESTS: Type.Integer({ default: 2, minimum: 1, maximum: 32, description: '_bulk requests in flight at once; one while a batch is being retried' }),
  ELASTICSEARCH_REQUEST_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, description: 'Timeout of one request to Elasticsearch' }),
  ELASTICSEARCH_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, description: 'ILM deletes telemetry older than this' }),
  ELASTICSEARCH_SETUP: Type.Boolean({ default: true, description: 'Install the index template and ILM policy at start' }),
  TELEMETRY_BUFFER_CAPACITY: Type.Integer({ default: 10_000, minimum: 1, description: 'Records held for Elasticsearch; when full the oldest is dropped and counted' }),
  TELEMETRY_BUFFER_MAX_BYTES: Type.Integer({
    default: 128 * 1024 * 1024,
    minimum: 1,
    description: 'What the records held for Elasticsearch may weigh in all; past it the oldest is dropped and counted',
  }),
  TELEMETRY_MAX_PAYLOAD_BYTES: Type.Integer({ default: 256 * 1024, minimum: 0, description: 'Request and response payloads larger than this are stored as a size note only' }),
  PRICES_FILE: Type.String({ default: '', description: 'JSON price table laid over the embedded one (same shape as src/telemetry/prices.json)' }),

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
  ANTHROPIC_BASE_URL: url('https://api.anthropic.com', 'Anthropic; /v1/chat/completions is translated to /v1/messages, other /v1/... paths pass through'),
  AZURE_OPENAI_BASE_URL: Type.String({
    default: '',
    pattern: '^(https?://[^\\s]+)?$',
    description: 'Azure OpenAI resource, e.g. https://my-resource.openai.azure.com (no default: x-provider azure needs it)',
  }),
  AZURE_OPENAI_API_VERSION: Type.String({
    default: '2024-10-21',
    pattern: '^(\\d{4}-\\d{2}-\\d{2}(-preview)?|v1|preview)$',
    description: 'api-version when the client sends none: a dated version (deployment URLs), or v1 / preview (the /openai/v1 API)',
  }),
  GEMINI_BASE_URL: url('https://generativelanguage.googleapis.com', "Google Gemini, through its OpenAI-compatible API (/v1/... becomes /v1beta/openai/...)"),
  BEDROCK_BASE_URL: url('https://bedrock-runtime.{region}.amazonaws.com', 'AWS Bedrock runtime; {region} becomes the AWS region of the request'),

  // Bedrock signs with these when a request brings no x-aws-* headers of its own.
  AWS_ACCESS_KEY_ID: Type.String({ default: '', description: 'AWS access key id for Bedrock' }),
  AWS_SECRET_ACCESS_KEY: Type.String({ default: '', description: 'AWS secret access key for Bedrock' }),
  AWS_SESSION_TOKEN: Type.String({ default: '', description: 'AWS session token, with temporary credentials' }),
  AWS_REGION: awsRegion('AWS region for Bedrock, e.g. us-east-1'),
  AWS_DEFAULT_REGION: awsRegion('Read when AWS_REGION is not set'),
})

export type ConfigEnv = Static<typeof ConfigSchema>
export type LogLevel = (typeof LOG_LEVELS)[number]
