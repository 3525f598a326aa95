import type { OpenAIFinishReason } from '../openai-chat-api'

/**
 * Converse `stopReason` as an OpenAI `finish_reason`.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 * Reasons OpenAI has no word for (malformed output, reasons added later) read as `stop`.
 */
export function mapBedrockStopReason(reason: string | undefined): OpenAIFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter'
    default:
      // end_turn, stop_sequence, malformed_model_output, malformed_tool_use, ...
      return 'stop'
  }
}
