/**
 * The cdk-nag (AwsSolutions) findings this stack has on purpose, each acknowledged on the one
 * construct it concerns, with the reason. cdk-nag 3 reads acknowledgements from CDK's
 * `Validations.of(construct).acknowledge()`; a finding with a detail (IAM5) is acknowledged by
 * its exact id, so a new wildcard elsewhere still fails the synth.
 */
import { Validations, type Stack } from 'aws-cdk-lib';
import type { FileBucket } from './file-bucket';
import type { FrontDoor, FrontDoorKind } from './front-door';
import type { GatewayFunction } from './gateway-function';

export interface NagParts {
  readonly files: FileBucket;
  readonly gateway: GatewayFunction;
  readonly door: FrontDoor;
  readonly kind: FrontDoorKind;
  readonly keyPrefix: string;
}

const AUTH_IN_FUNCTION =
  'The gateway authenticates every request itself (JWT or API key) and decides per object key with its policy, which may allow anonymous access; an API Gateway authorizer can express neither.';

export function acknowledgeNagFindings(stack: Stack, parts: NagParts): void {
  const objects = nagArn(stack, parts.files.bucket.arnForObjects(`${parts.keyPrefix}*`));
  Validations.of(parts.gateway.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${objects}]`,
    reason: 'Object actions need a key wildcard; it is limited to the one bucket and key prefix, and to the actions the gateway signs.',
  });
  Validations.of(parts.gateway.function).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Pinned to Node.js 22 on purpose: the bundle is built and tested for it. Move to a newer runtime deliberately, after the Lambda tests pass on it.',
  });
  if (parts.gateway.shareKey) {
    Validations.of(parts.gateway.shareKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the share key revokes every share link, so it is rotated deliberately (redeploy with a new shareKeyVersion, or on demand), not on a schedule.',
    });
  }
  if (parts.kind === 'function-url') return;
  Validations.of(parts.door).acknowledge({ id: 'AwsSolutions-APIG4', reason: AUTH_IN_FUNCTION });
  if (parts.kind === 'rest-api') {
    Validations.of(parts.door).acknowledge(
      { id: 'AwsSolutions-COG4', reason: AUTH_IN_FUNCTION },
      { id: 'AwsSolutions-APIG2', reason: 'Proxy integration: the function validates every request (path, key, upload headers) and answers 400 itself.' },
      { id: 'AwsSolutions-APIG3', reason: 'Optional: attach a WAFv2 web ACL to the stage if the deployment needs one; the stage is throttled.' },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack does not change; access logs and the function log record every request.',
      },
    );
  }
}

/** A resolved ARN as cdk-nag prints it in a finding id: `<Logical.Attr>` and `<AWS::Pseudo>`. */
function nagArn(stack: Stack, arn: string): string {
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if (node['Fn::Join']) {
      const [separator, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(separator);
    }
    if (node['Fn::GetAtt']) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
    if (typeof node.Ref === 'string') return `<${node.Ref}>`;
    throw new Error(`cannot flatten ${JSON.stringify(value)}`);
  };
  return flatten(stack.resolve(arn));
}
