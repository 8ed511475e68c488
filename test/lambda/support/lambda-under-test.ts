/**
 * A Lambda handler built the way the deployed one is (createLambdaHandler, from an environment),
 * with a recording allow-all `decide`, an in-memory log and a fixed clock, plus helpers to read
 * the key and signature parameters back out of the `Location` it answers with.
 */
import { createLambdaHandler, type LambdaHandler } from '../../../src/lambda/handler';
import { allowAll, type Action, type Decide } from '../../../src/policy/types';
import { memoryLogger } from '../../support/memory-log';

export const TEST_BUCKET = 'signpost-lambda-test';
export const FIXED_NOW = new Date('2026-03-01T12:00:00Z');

export const TEST_ENV: Readonly<Record<string, string>> = {
  SIGNPOST_BUCKET: TEST_BUCKET,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLELAMBDA001',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYLAMBDAKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=',
};

export interface Decision {
  readonly action: Action;
  readonly key: string;
}

export interface LambdaUnderTest {
  readonly handler: LambdaHandler;
  /** Every (action, key) the policy was asked about, in order. */
  readonly decisions: Decision[];
  readonly logLines: string[];
}

export function lambdaUnderTest(env: Record<string, string> = {}, decide: Decide = allowAll): LambdaUnderTest {
  const decisions: Decision[] = [];
  const { logger, lines } = memoryLogger('info');
  const recording: Decide = (principal, action, key) => {
    decisions.push({ action, key });
    return decide(principal, action, key);
  };
  const handler = createLambdaHandler({ ...TEST_ENV, ...env }, { decide: recording, logger, now: () => FIXED_NOW });
  return { handler, decisions, logLines: lines };
}

/** The object key a presigned URL points at (virtual-hosted or path-style). */
export function signedKey(location: string, bucket = TEST_BUCKET): string {
  const url = new URL(location);
  let path = url.pathname.slice(1);
  if (!url.hostname.startsWith(`${bucket}.`)) path = path.slice(bucket.length + 1);
  return path.split('/').map(decodeURIComponent).join('/');
}

export function signedParam(location: string, name: string): string | null {
  return new URL(location).searchParams.get(name);
}
