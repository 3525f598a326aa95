/**
 * The parts of Bedrock's Converse API the gateway speaks, as they travel on the wire (JSON).
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * Response types are lenient (fields optional): they describe what we read, not what we trust.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp'

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: Array<{ text: string }> } }

export interface Message {
  role: 'user' | 'assistant'
  content: ContentBlock[]
}

export interface SystemBlock {
  text: string
}

export interface InferenceConfig {
  maxTokens?: number
  temperature?: number
  topP?: number
  stopSequences?: string[]
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } }
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } }

export interface ToolConfig {
  tools: ToolSpec[]
  toolChoice?: ToolChoice
}

export interface ConverseRequest {
  messages: Message[]
  system?: SystemBlock[]
  inferenceConfig?: InferenceConfig
  toolConfig?: ToolConfig
}

/** https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html */
export interface TokenUsage {
  inputTokens?: number
  outputTokens?: number
  totalTokens?: number
  cacheReadInputTokens?: number
  cacheWriteInputTokens?: number
}

export interface ResponseContentBlock {
  text?: string
  toolUse?: { toolUseId?: string; name?: string; input?: unknown }
  reasoningContent?: { reasoningText?: { text?: string } }
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ResponseContentBlock[] } }
  stopReason?: string
  usage?: TokenUsage
  metrics?: { latencyMs?: number }
}

/** Payloads of ConverseStream events, by `:event-type`. */
export interface StreamEvents {
  messageStart: { role?: string }
  contentBlockStart: { contentBlockIndex?: number; start?: { toolUse?: { toolUseId?: string; name?: string } } }
  contentBlockDelta: {
    contentBlockIndex?: number
    delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string } }
  }
  contentBlockStop: { contentBlockIndex?: number }
  messageStop: { stopReason?: string }
  metadata: { usage?: TokenUsage; metrics?: { latencyMs?: number } }
}
