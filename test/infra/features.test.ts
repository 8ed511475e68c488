/**
 * Features and permissions in one place: for each set of feature flags, the template grants the
 * role exactly the actions those features need, creates the share key only for share links, sets
 * the bucket's CORS for the web UI only when it is served, and writes the same set into the
 * function's config file, which the function reads to answer what is off with 501.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FEATURE_FLAGS } from '../../infra/feature-flags';
import type { FrontDoor } from '../../infra/front-door';
import type { GatewayFunction } from '../../infra/gateway-function';
import { SignpostStack } from '../../infra/signpost-stack';
import { ALL_FEATURES, FEATURES, type Features } from '../../src/config/features';
import { createLambdaHandler } from '../../src/lambda/handler';
import { MULTIPART_ACTIONS } from '../../infra/object-permissions';
import { eventFor, headersOf } from '../lambda/support/door-events';
import { TEST_ENV } from '../lambda/support/lambda-under-test';
import { memoryLogger } from '../support/memory-log';
import { actionsOf, policyStatements, synth } from './support/synth';

const FLAG_SETS: readonly (readonly [string, Partial<Features>])[] = [
  ['all on (the default)', {}],
  ['all off', { multipart: false, listing: false, share: false, web: false }],
  ...FEATURES.map((f) => [`only ${f} off`, { [f]: false }] as const),
];

/** One request per feature, as a client would send it. */
const REQUESTS: Readonly<Record<keyof Features, { method: string; path: string; query?: string; headers?: Record<string, string> }>> = {
  multipart: { method: 'POST', path: '/files/big.iso', query: 'uploads', headers: { 'X-Upload-Length': '1000' } },
  listing: { method: 'GET', path: '/files/reports/' },
  share: { method: 'POST', path: '/files/report.pdf', query: 'share' },
  web: { method: 'GET', path: '/' },
};

describe.each(FLAG_SETS)('%s', (_name, flags) => {
  const features: Features = { ...ALL_FEATURES, ...flags };
  const { template, stack } = synth({ features: flags });
  const statements = policyStatements(template);
  const sids = statements.map((s) => s.Sid).filter((sid) => sid !== undefined);

  test('the role: the object actions always, each feature\'s actions only when it is on', () => {
    expect(sids.sort()).toEqual(
      ['SignedObjectRequests', ...(features.multipart ? ['SignedMultipartUploads'] : []), ...(features.listing ? ['SignedListings'] : []), ...(features.share ? ['ReadShareKey'] : [])].sort(),
    );
    const multipart = statements.find((s) => s.Sid === 'SignedMultipartUploads');
    // Complete lists the parts before completing: without ListMultipartUploadParts `signpost cp` fails.
    if (multipart) expect(actionsOf(multipart).sort()).toEqual([...MULTIPART_ACTIONS].sort());
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:List'))).toEqual([...(features.multipart ? ['s3:ListMultipartUploadParts'] : []), ...(features.listing ? ['s3:ListBucket'] : [])]);
  });

  test('share links: a generated share key, readable by the function alone, fetched through the extension', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', features.share ? 1 : 0);
    const variables = Match.objectLike({ SIGNPOST_SHARE_KEY_ID: features.share ? { Ref: Match.stringLikeRegexp('^GatewayShareKey') } : Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: variables }, Layers: features.share ? [Match.anyValue()] : Match.absent() });
    if (features.share) template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
  });

  test('web: the bucket\'s CORS allows the gateway\'s origin only when the page is served', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      CorsConfiguration: features.web ? { CorsRules: [Match.objectLike({ AllowedOrigins: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontDoorHttpApi'), 'ApiEndpoint'] }, 'null'] })] } : Match.absent(),
    });
  });

  test('the function\'s config file holds the same set', () => {
    const gateway = stack.node.findChild('Gateway') as GatewayFunction;
    expect((JSON.parse(readFileSync(gateway.configFile, 'utf8')) as { features: unknown }).features).toEqual(features);
  });

  test('the function reading that config answers what is off with 501 and a one-line reason', async () => {
    const gateway = stack.node.findChild('Gateway') as GatewayFunction;
    const env = { ...TEST_ENV, SIGNPOST_CONFIG: gateway.configFile, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_SHARE_KEY: 'k'.repeat(32) };
    const handler = createLambdaHandler(env, { logger: memoryLogger('silent').logger });
    for (const feature of FEATURES) {
      const outcome = eventFor('http-api', REQUESTS[feature]);
      if (outcome.kind !== 'event') throw new Error('unexpected');
      const result = await handler(outcome.event);
      if (features[feature]) {
        if (feature === 'share') expect(result.statusCode).toBe(200); // the others would call S3 (no network here)
        continue;
      }
      expect([feature, result.statusCode]).toEqual([feature, 501]);
      const body = JSON.parse(result.body as string) as { error: string; message: string };
      expect(body.error).toBe('feature_disabled');
      expect(body.message).toContain(`-c ${feature}=true`);
      expect(body.message).not.toContain('\n');
      expect(headersOf(result)['content-type']).toBe('application/json; charset=utf-8');
    }
  });
});

describe('public base URL of share links, per front door', () => {
  test('HTTP API: its endpoint (no stage in the path)', () => {
    synth().template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SIGNPOST_PUBLIC_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontDoorHttpApi'), 'ApiEndpoint'] } }) },
    });
  });
  test('REST API: its execute-api URL with the stage, named without depending on the stage', () => {
    const { template } = synth({ frontDoor: 'rest-api' });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const url = JSON.stringify(fn.Properties.Environment.Variables.SIGNPOST_PUBLIC_URL);
    expect(url).toMatch(/execute-api/);
    expect(url).toMatch(/\/prod"/);
    expect(url).not.toMatch(/Stage|Deployment/); // synth() would have thrown on the cycle
  });
  test('a custom domain: the domain', () => {
    const { template } = synth({ domain: { name: 'files.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SIGNPOST_PUBLIC_URL: 'https://files.example.com' }) } });
    template.hasResourceProperties('AWS::S3::Bucket', { CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: [Match.anyValue(), 'https://files.example.com', 'null'] })] } });
  });
});

describe('Function URL front door', () => {
  const { template } = synth({ frontDoor: 'function-url' });

  test('a Function URL without IAM auth (the gateway authenticates), buffered, and no API Gateway', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunction'), 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', Principal: '*' });
    for (const type of ['AWS::ApiGatewayV2::Api', 'AWS::ApiGateway::RestApi']) template.resourceCountIs(type, 0);
  });

  test('the URL is learnt per request (naming it in the function would be a cycle); the bucket allows the region\'s Function URL origins', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SIGNPOST_PUBLIC_URL: Match.absent() }) } });
    const bucket = Object.values(template.findResources('AWS::S3::Bucket')).find((b) => (b as { Properties: Record<string, unknown> }).Properties.CorsConfiguration);
    expect(JSON.stringify(bucket)).toContain('https://*.lambda-url.');
  });

  test('the ApiUrl output is the URL without its trailing slash; a custom domain is refused', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontDoorUrl'), 'FunctionUrl'] }] }] }]] } });
    expect(() => synth({ frontDoor: 'function-url', domain: { name: 'f.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } })).toThrow(/Function URL cannot have a custom domain/);
  });
});

test('a dependency cycle fails the synth: naming the Function URL in the function\'s environment', () => {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });
  const stack = new SignpostStack(app, 'Signpost', { frontDoor: 'function-url' });
  const gateway = stack.node.findChild('Gateway') as GatewayFunction;
  gateway.function.addEnvironment('SIGNPOST_PUBLIC_URL', (stack.node.findChild('FrontDoor') as FrontDoor).url);
  expect(() => Template.fromStack(stack)).toThrow(/dependency cycle: GatewayFunction\w+ -> FrontDoorUrl/);
});

test('warnings where the web UI needs the deployer: an existing bucket\'s CORS, a REST API\'s /prod stage', () => {
  const warnings = (props: Parameters<typeof synth>[0]) =>
    Annotations.fromStack(synth(props).stack)
      .findWarning('*', Match.anyValue())
      .map((w) => (typeof w.entry.data === 'string' ? w.entry.data : JSON.stringify(w.entry.data)))
      .filter((text) => text.startsWith('web:'));
  expect(warnings({ bucket: { existingBucketName: 'existing-files' } })).toEqual([expect.stringMatching(/existing bucket's CORS is yours/)]);
  expect(warnings({ frontDoor: 'rest-api' })).toEqual([expect.stringMatching(/serves its stage under \/prod/)]);
  expect(warnings({ frontDoor: 'rest-api', domain: { name: 'files.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } })).toEqual([]);
  expect(warnings({ frontDoor: 'rest-api', bucket: { existingBucketName: 'existing-files' }, features: { web: false } })).toEqual([]);
});

test('a new shareKeyVersion is a new secret (a new logical id, so CloudFormation replaces it and the function\'s environment changes)', () => {
  const secretIds = (version?: string) => Object.keys(synth(version === undefined ? {} : { shareKeyVersion: version }).template.findResources('AWS::SecretsManager::Secret'));
  const [first] = secretIds();
  const [second] = secretIds('2');
  expect(first).toMatch(/^GatewayShareKeyKey1/);
  expect(second).toMatch(/^GatewayShareKeyKey2/);
  expect(() => synth({ shareKeyVersion: 'v-2' })).toThrow(/shareKeyVersion "v-2" must be 1-32 letters and digits/);
});
