import { convertOpenAIUsage } from '../usage/convert-openai-usage'
import { errorOf, mapResponsesFinishReason, parseJson, type ResponseSummary, type StreamAssembler } from './response-summary'

/** Responses API events that carry content (text, refusal, reasoning, tool-call arguments), as tool_calls deltas do in chat chunks. */
const RESPONSES_CONTENT_EVENTS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.function_call_arguments.delta',
])

interface ChoiceState {
  index: number
  role: string
  content: string
  refusal: string
  reasoning: string
  toolCalls: Map<number, { id: string; type: string; function: { name: string; arguments: string } }>
  finishReason: string | null
}

/**
 * Assembles OpenAI Chat Completions chunks into the `chat.completion` a non-streamed
 * request would have returned. Also reads Groq's `x_groq.usage` and the Responses API's
 * `response.completed` event, so every OpenAI-format stream yields its usage.
 */
export function createOpenAIStreamAssembler(): StreamAssembler {
  const choices = new Map<number, ChoiceState>()
  let id: string | null = null
  let created: number | null = null
  let model: string | null = null
  let usage: unknown = null
  let error: ResponseSummary['error'] = null
  let responsesApiPayload: any = undefined
  let sawContent = false

  const choice = (index: number): ChoiceState => {
    let state = choices.get(index)
    if (state === undefined) {
      state = { index, role: 'assistant', content: '', refusal: '', reasoning: '', toolCalls: new Map(), finishReason: null }
      choices.set(index, state)
    }
    return state
  }

  let closed = false

  return {
    get sawContent() {
      return sawContent
    },
    get closed() {
      return closed || error !== null || responsesApiPayload !== undefined || [...choices.values()].some((c) => c.finishReason !== null)
    },
    get ended() {
      return closed || error !== null || responsesApiPayload !== undefined
    },
    event({ data }) {
      if (data === '[DONE]') return void (closed = true)
      const chunk = parseJson(data)
      if (chunk === undefined || chunk === null) return
      if (chunk.error !== undefined) {
        error = errorOf(chunk)
        return
      }
      // The Responses API's own `error` event carries code and message at the top level.
      // @see https://platform.openai.com/docs/api-reference/responses-streaming/error
      if (typeof chunk.type === 'string' && (chunk.type.startsWith('response.') || chunk.type === 'error')) return responsesApiEvent(chunk)
      id ??= chunk.id ?? null
      created ??= chunk.created ?? null
      // Strings only: the document maps both as keywords, and an object would get it refused.
      if (typeof chunk.model === 'string') model ??= chunk.model
      if (chunk.usage) usage = chunk.usage
      else if (chunk.x_groq?.usage) usage = chunk.x_groq.usage
      if (!Array.isArray(chunk.choices)) return
      for (const c of chunk.choices) {
        if (c === null || typeof c !== 'object') continue
        const state = choice(c.index ?? 0)
        const delta = c.delta ?? {}
        if (delta.role) state.role = delta.role
        if (delta.content) ((state.content += delta.content), (sawContent = true))
        if (delta.refusal) ((state.refusal += delta.refusal), (sawContent = true))
        const reasoning = delta.reasoning_content ?? delta.reasoning
        if (typeof reasoning === 'string' && reasoning) ((state.reasoning += reasoning), (sawContent = true))
        if (Array.isArray(delta.tool_calls)) {
          sawContent = true
          for (const call of delta.tool_calls) {
            if (call === null || typeof call !== 'object') continue
            const at = call.index ?? 0
            let tool = state.toolCalls.get(at)
            if (tool === undefined) {
              tool = { id: '', type: 'function', function: { name: '', arguments: '' } }
              state.toolCalls.set(at, tool)
            }
            if (call.id) tool.id = call.id
            if (call.function?.name) tool.function.name += call.function.name
            if (call.function?.arguments) tool.function.arguments += call.function.arguments
          }
        }
        if (typeof c.finish_reason === 'string' && c.finish_reason !== '') state.finishReason = c.finish_reason
      }
    },
    summary() {
      if (responsesApiPayload !== undefined) {
        return {
          model: responsesApiPayload.model ?? model,
          tokens: convertOpenAIUsage(responsesApiPayload.usage),
          finishReason: mapResponsesFinishReason(responsesApiPayload),
          finishReasonRaw: responsesApiPayload.status ?? null,
          payload: responsesApiPayload,
          error,
        }
      }
      const assembled = [...choices.values()]
        .sort((a, b) => a.index - b.index)
        .map((c) => ({
          index: c.index,
          message: {
            role: c.role,
            content: c.content || (c.toolCalls.size > 0 ? null : ''),
            ...(c.refusal ? { refusal: c.refusal } : {}),
            ...(c.reasoning ? { reasoning_content: c.reasoning } : {}),
            ...(c.toolCalls.size > 0 ? { tool_calls: [...c.toolCalls.values()] } : {}),
          },
          finish_reason: c.finishReason,
        }))
      const finishReason = assembled[0]?.finish_reason ?? null
      return {
        model,
        tokens: convertOpenAIUsage(usage),
        finishReason,
        finishReasonRaw: finishReason,
        payload: { id, object: 'chat.completion', created, model, choices: assembled, usage },
        error,
      }
    },
  }

  function responsesApiEvent(event: any) {
    if (RESPONSES_CONTENT_EVENTS.has(event.type)) sawContent = true
    if (event.type === 'response.created' && typeof event.response?.model === 'string') model ??= event.response.model
    if (event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed') {
      if (event.response !== null && typeof event.response === 'object') responsesApiPayload = event.response
      if (event.type === 'response.failed') error = errorOf(event.response) ?? { type: 'response.failed', message: '' }
    }
    if (event.type === 'error') error = { type: String(event.code ?? 'error'), message: String(event.message ?? '') }
  }
}
