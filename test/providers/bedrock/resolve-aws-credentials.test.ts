import { describe, expect, test } from 'bun:test'
import { resolveAwsCredentials } from '../../../src/providers/bedrock/resolve-aws-credentials'
import { refusal } from '../../support/refusal'

const settings = { accessKeyId: 'AKIDENV', secretAccessKey: 'envsecret', sessionToken: 'envtoken', region: 'us-east-1' }
const client = { 'x-aws-access-key-id': 'AKIDCLIENT', 'x-aws-secret-access-key': 'clientsecret' }

const cases: Array<{ name: string; headers: Record<string, string>; settings?: typeof settings | {}; expected: unknown }> = [
  { name: 'settings only', headers: {}, settings, expected: settings },
  {
    name: 'client headers win; the settings token is not mixed in',
    headers: client,
    settings,
    expected: { accessKeyId: 'AKIDCLIENT', secretAccessKey: 'clientsecret', region: 'us-east-1' },
  },
  {
    name: 'client headers with token and region',
    headers: { ...client, 'x-aws-session-token': 'tok', 'x-aws-region': 'ap-southeast-2' },
    settings: {},
    expected: { accessKeyId: 'AKIDCLIENT', secretAccessKey: 'clientsecret', sessionToken: 'tok', region: 'ap-southeast-2' },
  },
  {
    name: 'a region header with settings credentials',
    headers: { 'x-aws-region': 'us-gov-west-1' },
    settings,
    expected: { ...settings, region: 'us-gov-west-1' },
  },
]

describe('resolveAwsCredentials', () => {
  for (const row of cases) test(row.name, () => expect(resolveAwsCredentials(new Headers(row.headers), row.settings)).toEqual(row.expected as never))

  const refused: Array<{ name: string; headers: Record<string, string>; settings: object; status: number; message: string }> = [
    { name: 'nothing anywhere', headers: {}, settings: {}, status: 401, message: 'Bedrock needs AWS credentials' },
    { name: 'a key without its secret', headers: { 'x-aws-access-key-id': 'AKID' }, settings, status: 400, message: 'Send both' },
    { name: 'a secret without its key', headers: { 'x-aws-secret-access-key': 's' }, settings, status: 400, message: 'Send both' },
    { name: 'no region', headers: client, settings: {}, status: 400, message: 'needs an AWS region' },
    { name: 'a region that would change the host name', headers: { ...client, 'x-aws-region': 'x.evil.com#' }, settings: {}, status: 400, message: 'not an AWS region name' },
  ]
  for (const row of refused) test(`refuses ${row.name}`, () => expect(refusal(() => resolveAwsCredentials(new Headers(row.headers), row.settings))).toMatchObject({ status: row.status, message: expect.stringContaining(row.message) }))
})
