/**
 * The CDK app (cdk.json runs it with tsx): one SignpostStack configured from context (see
 * context.ts), checked by cdk-nag's AwsSolutions pack - an unacknowledged finding fails the synth.
 * Environment-agnostic and lookup-free, so `cdk synth` needs no AWS credentials and no network.
 * Run directly (`npx tsx infra/app.ts`) it synthesizes into cdk.out as `cdk synth` would.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { propsFromContext } from './context';
import { FEATURE_FLAGS } from './feature-flags';
import { SignpostStack } from './signpost-stack';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out', postCliContext: { ...FEATURE_FLAGS } });
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Signpost';
new SignpostStack(app, stackName, {
  ...propsFromContext((key) => app.node.tryGetContext(key)),
  description: 'Signpost: a redirect-based file gateway (API Gateway + Lambda + S3)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const assembly = app.synth();
if (!process.env.CDK_OUTDIR) console.error(`synthesized ${assembly.stacks.map((s) => s.templateFullPath).join(', ')}`);
