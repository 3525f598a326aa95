import type { RecordMetadata, RequestRecord } from '../../src/telemetry/request-record'

type Attributes = Omit<RequestRecord['attributes'], 'metadata'>

/** A complete, plausible record for tests that need one; every part can be overridden. */
export function sampleRecord(overrides: { timestamp?: string; attributes?: Partial<Attributes>; metadata?: Partial<RecordMetadata> } = {}): RequestRecord {
  return {
    timestamp: overrides.timestamp ?? '2026-03-01T10:00:00.000Z',
    resource: { 'service.name': 'ai-gateway', 'service.version': '1.0.0', 'deployment.environment': 'test' },
    name: 'ai_gateway_request_log',
    attributes: {
      id: 'r',
      thread_id: null,
      org_id: null,
      user_id: null,
      project_id: null,
      provider: 'openai',
      model: 'gpt-4o',
      request: null,
      response: null,
      ...overrides.attributes,
      metadata: {
        project_id: null,
        project_name: null,
        latency: 0,
        tokens: { input: null, output: null, total: null, cached_input: null, cache_write_input: null, reasoning: null },
        cost: null,
        status: 'success',
        path: '/v1/chat/completions',
        method: 'POST',
        request_size: 0,
        response_size: 0,
        provider_latency: null,
        status_code: 200,
        provider_status_code: 200,
        error_count: 0,
        error_type: null,
        provider_error_count: 0,
        provider_error_type: null,
        ttft_ms: null,
        gateway_overhead_ms: 0,
        stream: false,
        finish_reason: null,
        finish_reason_raw: null,
        warnings: [],
        ...overrides.metadata,
      },
    },
  }
}
