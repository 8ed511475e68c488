/**
 * Synthesizes a SignpostStack for assertions, with the app's feature flags and, unless asked
 * for, without bundling (CDK puts a placeholder asset in its place), so variants stay cheap.
 * Template.fromStack also refuses a template whose resources depend on each other in a cycle
 * (CloudFormation would refuse to deploy it), so every synth here proves there is none.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FEATURE_FLAGS } from '../../../infra/feature-flags';
import { SignpostStack, type SignpostStackProps } from '../../../infra/signpost-stack';

export interface Synthesized {
  readonly app: App;
  readonly stack: SignpostStack;
  readonly template: Template;
}

export function synth(props: SignpostStackProps = {}, options: { bundle?: boolean } = {}): Synthesized {
  const app = new App({ context: { ...FEATURE_FLAGS, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new SignpostStack(app, 'Signpost', props);
  return { app, stack, template: Template.fromStack(stack) };
}

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string };

/** Every statement of every IAM policy (inline or managed) in the template. */
export function policyStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const resource of Object.values(template.findResources(type))) {
      const doc = (resource as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument;
      out.push(...doc.Statement);
    }
  }
  return out;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

