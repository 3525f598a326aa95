/**
 * The mapping of a telemetry document, by its real field paths
 * (`attributes.metadata.latency`, not the flat names of the old guide). The request and
 * response payloads are kept but not indexed: arbitrary JSON would explode the mapping.
 */
const keyword = { type: 'keyword', ignore_above: 1024 }
const long = { type: 'long' }
const integer = { type: 'integer' }

export const RECORD_MAPPING = {
  dynamic: true,
  properties: {
    timestamp: { type: 'date' },
    name: keyword,
    resource: {
      properties: {
        service: { properties: { name: keyword, version: keyword } },
        deployment: { properties: { environment: keyword } },
      },
    },
    attributes: {
      properties: {
        id: keyword,
        thread_id: keyword,
        org_id: keyword,
        user_id: keyword,
        project_id: keyword,
        provider: keyword,
        model: keyword,
        request: { type: 'object', enabled: false },
        response: { type: 'object', enabled: false },
        metadata: {
          properties: {
            project_id: keyword,
            project_name: keyword,
            latency: long,
            tokens: { properties: { input: long, output: long, total: long, cached_input: long, cache_write_input: long, reasoning: long } },
            cost: { type: 'float' },
            status: keyword,
            path: keyword,
            method: keyword,
            request_size: long,
            response_size: long,
            provider_latency: long,
            status_code: integer,
            provider_status_code: integer,
            error_count: integer,
            error_type: keyword,
            provider_error_count: integer,
            provider_error_type: keyword,
            ttft_ms: long,
            gateway_overhead_ms: { type: 'float' },
            stream: { type: 'boolean' },
            finish_reason: keyword,
            finish_reason_raw: keyword,
            warnings: keyword,
            routing: {
              properties: {
                alias: keyword,
                target_provider: keyword,
                target_model: keyword,
                attempts: integer,
                failures: { properties: { provider: keyword, model: keyword, status: integer, error: keyword } },
              },
            },
          },
        },
      },
    },
  },
} as const
