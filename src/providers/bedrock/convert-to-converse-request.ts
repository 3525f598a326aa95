import type { ConverseRequest } from './bedrock-api'
import { refuse, type Converted } from './conversion'
import { convertToBedrockInferenceConfig } from './convert-to-bedrock-inference-config'
import { convertToBedrockMessages } from './convert-to-bedrock-messages'
import { convertToBedrockToolConfig } from './convert-to-bedrock-tool-config'

export interface ConverseCall {
  modelId: string
  /** `stream: true` goes to ConverseStream, anything else to Converse. */
  stream: boolean
  request: ConverseRequest
}

/** An OpenAI chat completion request (already parsed) as one Converse call. */
export function convertToConverseRequest(body: Record<string, unknown>): Converted<ConverseCall> {
  const modelId = body.model
  if (typeof modelId !== 'string' || modelId.trim() === '') refuse('`model` must be a Bedrock model id or inference profile, e.g. anthropic.claude-3-haiku-20240307-v1:0', 'invalid_request')
  const prompt = convertToBedrockMessages(body.messages)
  const tools = convertToBedrockToolConfig(body.tools, body.tool_choice, prompt.value.hasToolBlocks)
  const inference = convertToBedrockInferenceConfig(body)

  const request: ConverseRequest = { messages: prompt.value.messages }
  if (prompt.value.system.length > 0) request.system = prompt.value.system
  if (inference.value !== undefined) request.inferenceConfig = inference.value
  if (tools.value !== undefined) request.toolConfig = tools.value
  return {
    value: { modelId, stream: body.stream === true, request },
    warnings: [...prompt.warnings, ...tools.warnings, ...inference.warnings],
  }
}
