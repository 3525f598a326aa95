// Installs the telemetry index template and ILM policy, for operators who keep
// ELASTICSEARCH_SETUP=false on the gateways:
//   ELASTICSEARCH_URL=... ELASTICSEARCH_USERNAME=... ELASTICSEARCH_PASSWORD=... bun scripts/elasticsearch/setup-index.ts
// Reads the same settings as the gateway (environment or .env).
import { loadConfig } from '../../src/config/load-config'
import { createLogger } from '../../src/logger'
import { createElasticsearchClient } from '../../src/telemetry/elasticsearch-client'
import { setUpIndex } from '../../src/telemetry/elasticsearch-setup'
import { describeEsError } from '../../src/telemetry/telemetry'

const loaded = loadConfig({ ...process.env, ENABLE_ELASTICSEARCH: 'true' })
if (!loaded.ok) {
  console.error(`invalid configuration:\n  - ${loaded.errors.join('\n  - ')}`)
  process.exit(2)
}
const es = loaded.config.telemetry.elasticsearch!
const client = createElasticsearchClient(es)
try {
  const result = await setUpIndex(client, { index: es.index, retentionDays: es.retentionDays }, createLogger('info'))
  console.log(`index template "${result.template}" installed; ILM policy: ${result.policy ?? 'not available on this cluster (retention not managed)'}`)
} catch (error) {
  console.error(`set-up failed: ${describeEsError(error)}`)
  process.exit(1)
} finally {
  await client.close()
}
