/**
 * The CDK feature flags this stack is written for, set in code (not only in cdk.json) so the
 * tests synthesize exactly what `cdk synth` does.
 */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = {
  // Server access log delivery through a bucket policy, so the log bucket needs no ACLs either.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
};
