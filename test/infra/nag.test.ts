/**
 * cdk-nag's AwsSolutions pack passes on every stack shape, with each deliberate finding
 * acknowledged (with a reason) in infra/nag-acknowledgements.ts.
 *
 * cdk-nag 3 reports through CDK's policy-validation plugins (`Validations`), not Annotations:
 * the pack's report must be empty, the app must synthesize with the pack registered (an
 * unacknowledged finding fails `app.synth()`), and the stack must carry no error Annotations.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FEATURE_FLAGS } from '../../infra/feature-flags';
import { SignpostStack, type SignpostStackProps } from '../../infra/signpost-stack';
import { testFiles } from './support/files';
import { synth } from './support/synth';

const files = testFiles();

/** A fresh app with the pack registered before anything is synthesized, as infra/app.ts does. */
function appWithNag(props: SignpostStackProps, tamper?: (stack: SignpostStack) => void): App {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });
  const stack = new SignpostStack(app, 'Signpost', props);
  tamper?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

const addForeignWildcard = (stack: SignpostStack): void => {
  const role = stack.node.findAll().find((c) => c.node.path === 'Signpost/Gateway/Role') as Role;
  role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other-bucket/*'] }));
};

const VARIANTS: readonly (readonly [string, SignpostStackProps])[] = [
  ['defaults (HTTP API, new bucket)', {}],
  ['REST API with a custom domain', { frontDoor: 'rest-api', domain: { name: 'files.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } }],
  [
    'existing bucket, prefix, all features, secrets, CORS',
    {
      bucket: { existingBucketName: 'existing-files', existingBucketRegion: 'eu-central-1' },
      keyPrefix: 'uploads/',
      features: { listing: true, multipart: true },
      access: { authFile: files.auth, jwtSecret: 'signpost/jwt', apiKeysParameter: '/signpost/keys', policyFile: files.policy },
      allowedOrigins: ['https://app.example.com'],
    },
  ],
  ['versioned new bucket with a prefix, open access', { bucket: { versioned: true }, keyPrefix: 'a/b/', access: { openAccess: true } }],
  ['Function URL front door', { frontDoor: 'function-url', access: { openAccess: true } }],
  ['every feature off', { features: { multipart: false, listing: false, share: false, web: false }, access: { openAccess: true } }],
];

describe.each(VARIANTS)('%s', (_name, props) => {
  let stack: SignpostStack | undefined;
  const app = appWithNag(props, (s) => {
    stack = s;
  });

  test('synthesizes with the pack registered (an unacknowledged finding would throw)', () => {
    const assembly = app.synth();
    const messages = assembly.getStackArtifact(stack!.artifactId).messages;
    expect(messages.filter((m) => String(m.level) === 'error')).toEqual([]); // no error annotations either
  });

  test('AwsSolutions: no findings left', () => {
    const report = new AwsSolutionsChecks().validateScope(stack!);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});

test('an unacknowledged finding does fail (the check is live)', () => {
  const { stack } = synth();
  addForeignWildcard(stack);
  const report = new AwsSolutionsChecks().validateScope(stack);
  expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::other-bucket/*]']);
  expect(() => appWithNag({}, addForeignWildcard).synth()).toThrow(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::other-bucket/);
});

test('warnings say when the function will refuse to start or serves everyone', () => {
  const closed = Annotations.fromStack(synth().stack).findWarning('*', Match.stringLikeRegexp('refuse to start'));
  expect(closed).toHaveLength(1);
  const open = Annotations.fromStack(synth({ access: { openAccess: true } }).stack).findWarning('*', Match.stringLikeRegexp('anyone who can reach the API'));
  expect(open).toHaveLength(1);
});
