/**
 * Template assertions on SignpostStack (synthesized without bundling; package.test.ts bundles):
 * a private, encrypted, TLS-only bucket; an arm64 Node 22 function; a role that names only the
 * bucket's ARNs and the actions the gateway signs; a front door that routes everything to the
 * function with no cache; secrets referenced by name only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { MULTIPART_ACTIONS, OBJECT_ACTIONS } from '../../infra/object-permissions';
import { testFiles } from './support/files';
import { actionsOf, policyStatements, synth, type Statement } from './support/synth';

const files = testFiles();

describe('default stack', () => {
  const { template } = synth();

  test('the bucket is private, encrypted, TLS-only, owner-enforced, and aborts stale multipart uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' })]) },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^FilesBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
    // Every bucket in the stack (files and access logs) is private.
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket).toMatchObject({ Properties: { PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } } });
    }
  });

  test('no versioning unless asked for; CORS only for the gateway\'s own origin (its web UI) and null', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      VersioningConfiguration: Match.absent(),
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontDoorHttpApi'), 'ApiEndpoint'] }, 'null'] })] },
    });
  });

  test('the function is Node.js 22 on arm64, sized and logging to its own retained log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 5,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^GatewayLogs') } },
      Environment: { Variables: Match.objectLike({ SIGNPOST_BUCKET: { Ref: Match.stringLikeRegexp('^FilesBucket') }, SIGNPOST_CONFIG: '/var/task/signpost.json' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('AWS::Lambda::Function', 1); // no log-retention or other helper functions
  });

  test('fail closed: without a policy or openAccess the function gets no SIGNPOST_ALLOW_ALL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SIGNPOST_ALLOW_ALL: Match.absent() }) } });
  });

  test('the role: exactly the actions every feature signs on the bucket\'s objects, the share key, and its own log group', () => {
    const statements = policyStatements(template);
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^FilesBucket[0-9A-F]+$/), 'Arn'] }, '/*']] };
    expect(s3).toEqual([
      { Effect: 'Allow', Sid: 'SignedObjectRequests', Action: [...OBJECT_ACTIONS].sort(), Resource: objects },
      { Effect: 'Allow', Sid: 'SignedMultipartUploads', Action: [...MULTIPART_ACTIONS].sort(), Resource: objects },
      { Effect: 'Allow', Sid: 'SignedListings', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FilesBucket[0-9A-F]+$/), 'Arn'] } },
    ]);
    const others = statements.filter((s) => !s3.includes(s));
    expect(others).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayLogs/), 'Arn'] } },
      { Effect: 'Allow', Sid: 'ReadShareKey', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^GatewayShareKey/) as string } },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|"Action":"\*"|"s3:\*"/);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('an HTTP API sends every route to the function, through a $default stage with access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    template.resourceCountIs('AWS::ApiGateway::Stage', 0); // HTTP APIs have no response cache at all
  });

  test('outputs: the API URL and the bucket name', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontDoorHttpApi'), 'ApiEndpoint'] } });
    template.hasOutput('BucketName', { Value: { Ref: Match.stringLikeRegexp('^FilesBucket') } });
  });
});

describe('REST API front door', () => {
  const { template } = synth({ frontDoor: 'rest-api', domain: { name: 'files.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } });

  test('routes / and {proxy+}, every method, to the function', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as { Properties: { HttpMethod: string; Integration: { Type: string } } }[];
    expect(methods).toHaveLength(2);
    for (const m of methods) expect(m.Properties).toMatchObject({ HttpMethod: 'ANY', Integration: { Type: 'AWS_PROXY' } });
  });

  test('no stage cache, binary bodies passed as base64, custom domain at the root', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { CacheClusterEnabled: false, MethodSettings: Match.arrayWith([Match.objectLike({ CachingEnabled: false })]) });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: Match.absent() });
    template.hasOutput('DomainTarget', {});
  });
});

describe('options', () => {
  test('features, key prefix and an existing bucket widen the role only as far as asked', () => {
    const { template } = synth({ bucket: { existingBucketName: 'existing-files' }, keyPrefix: 'uploads/' });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const s3 = policyStatements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const objects = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::existing-files/uploads/*']] };
    expect(s3).toEqual<Statement[]>([
      { Effect: 'Allow', Sid: 'SignedObjectRequests', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: objects },
      { Effect: 'Allow', Sid: 'SignedMultipartUploads', Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: objects },
      {
        Effect: 'Allow',
        Sid: 'SignedListings',
        Action: 's3:ListBucket',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::existing-files']] },
        Condition: { StringLike: { 's3:prefix': ['uploads/*'] } },
      },
    ]);
  });

  test('CORS for configured origins also allows Origin: null; versioning expires old versions', () => {
    const { template } = synth({ allowedOrigins: ['https://app.example.com'], bucket: { versioned: true }, features: { web: false } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://app.example.com', 'null'], AllowedMethods: ['GET', 'HEAD', 'PUT', 'DELETE'] })] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SIGNPOST_CORS_ORIGINS: 'https://app.example.com' }) } });
  });

  test('secrets reach the function by name only, readable by it alone', () => {
    const { template } = synth({ access: { authFile: files.auth, jwtSecret: 'signpost/jwt', apiKeysParameter: '/signpost/api-key-hashes' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SIGNPOST_JWT_SECRET_ID: 'signpost/jwt', SIGNPOST_API_KEYS_PARAMETER: '/signpost/api-key-hashes' }) },
    });
    const statements = policyStatements(template);
    expect(statements.find((s) => s.Sid === 'ReadJwtSecret')).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::Join': ['', expect.arrayContaining([':secret:signpost/jwt-??????'])] } });
    expect(statements.find((s) => s.Sid === 'ReadApiKeyHashes')).toMatchObject({ Action: 'ssm:GetParameter', Resource: { 'Fn::Join': ['', expect.arrayContaining([':parameter/signpost/api-key-hashes'])] } });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure|"SecretString"/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1); // the generated share key only
    // The Parameters and Secrets extension fetches them at init (no SDK in the bundle).
    template.hasResourceProperties('AWS::Lambda::Function', { Layers: [Match.anyValue()], Environment: { Variables: Match.objectLike({ PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true' }) } });
  });

  test('no secrets and no share links: no extension layer', () => {
    synth({ features: { share: false } }).template.hasResourceProperties('AWS::Lambda::Function', { Layers: Match.absent() });
  });

  test('a policy goes in as SIGNPOST_POLICY; a bad policy or bad auth settings stop the synth', () => {
    const { template } = synth({ access: { policyFile: files.policy, openAccess: true } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SIGNPOST_POLICY: '/var/task/policy.json', SIGNPOST_ALLOW_ALL: Match.absent() }) },
    });
    expect(() => synth({ access: { policyFile: files.badPolicy } })).toThrow(/invalid policy[\s\S]*actions/);
    expect(() => synth({ access: { authFile: files.badAuth } })).toThrow(/invalid auth settings[\s\S]*auth\.jwt/);
    expect(() => synth({ access: { jwtSecret: 'signpost/jwt' } })).toThrow(/jwtSecret needs an authFile/);
  });

  test('API keys from the parameter next to a JWT section without subjectNamespace stop the synth, not the deployed function', () => {
    const mixed = join(files.dir, 'jwt-no-namespace.yaml');
    writeFileSync(mixed, 'auth:\n  jwt:\n    issuer: https://issuer.example\n');
    expect(() => synth({ access: { authFile: mixed, jwtSecret: 'signpost/jwt', apiKeysParameter: '/signpost/keys' } })).toThrow(/auth\.jwt\.subjectNamespace: required when API keys/);
    expect(() => synth({ access: { authFile: mixed, jwtSecret: 'signpost/jwt', openAccess: true } })).not.toThrow();
  });

  test('openAccess is explicit', () => {
    const { template } = synth({ access: { openAccess: true }, urlTtlSeconds: 600 });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_URL_TTL: '600' }) } });
  });

  test('a key prefix the gateway would refuse stops the synth', () => {
    expect(() => synth({ keyPrefix: 'no-trailing-slash' })).toThrow(/keyPrefix "no-trailing-slash" must be empty or end with "\/"/);
    expect(() => synth({ keyPrefix: '../' })).toThrow(/keyPrefix/);
    expect(() => synth({ mountPath: 'files' })).toThrow(/invalid mount/);
  });
});
