/** CDK context -> stack props: strings from `-c`, JSON from cdk.json, and clear errors. */
import { propsFromContext } from '../../infra/context';

const from = (context: Record<string, unknown>) => propsFromContext((key) => context[key]);

test('nothing set: all defaults', () => {
  expect(from({})).toEqual({ bucket: {}, access: {}, features: {} });
});

test('command-line strings and cdk.json values mean the same', () => {
  const cli = from({ bucketName: 'b', allowedOrigins: 'https://a.example, https://b.example', openAccess: 'true', urlTtl: '600', listing: 'false', frontDoor: 'rest-api' });
  const json = from({ bucketName: 'b', allowedOrigins: ['https://a.example', 'https://b.example'], openAccess: true, urlTtl: 600, listing: false, frontDoor: 'rest-api' });
  expect(cli).toEqual(json);
  expect(cli).toMatchObject({ bucket: { existingBucketName: 'b' }, allowedOrigins: ['https://a.example', 'https://b.example'], access: { openAccess: true }, urlTtlSeconds: 600, features: { listing: false }, frontDoor: 'rest-api' });
});

test('features: each flag on its own, only the ones given; a Function URL front door; the share key version', () => {
  expect(from({ multipart: 'false', web: 'false' }).features).toEqual({ multipart: false, web: false });
  expect(from({ share: true, listing: 'true' }).features).toEqual({ listing: true, share: true });
  expect(from({ frontDoor: 'function-url', shareKeyVersion: '2' })).toMatchObject({ frontDoor: 'function-url', shareKeyVersion: '2' });
});

test('secrets and the policy file are passed by name/path', () => {
  expect(from({ policyFile: 'policy.yaml', jwtSecret: 'signpost/jwt', apiKeysParameter: '/signpost/keys' }).access).toEqual({ policyFile: 'policy.yaml', jwtSecret: 'signpost/jwt', apiKeysParameter: '/signpost/keys' });
});

test.each([
  [{ openAccess: 'yes' }, /openAccess: expected true or false/],
  [{ urlTtl: '10m' }, /urlTtl: expected a whole number/],
  [{ frontDoor: 'alb' }, /frontDoor: expected http-api, rest-api, function-url/],
  [{ share: 'off' }, /share: expected true or false/],
  [{ domainName: 'files.example.com' }, /domainName and certificateArn go together/],
  [{ keyPrefix: { a: 1 } }, /keyPrefix: expected a string/],
])('%j is refused', (context, message) => {
  expect(() => from(context)).toThrow(message);
});
