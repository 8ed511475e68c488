/**
 * The AWS Lambda entry point: `handler` serves the gateway's express app behind API Gateway
 * (REST or HTTP API), a Lambda Function URL or an ALB.
 *
 * Everything is set up here, at module load, i.e. once per execution environment during
 * Lambda's init phase: a configuration problem fails init with a message in the function's log
 * instead of failing every request. Policy and authentication come from configuration
 * (SIGNPOST_POLICY, the config file's `auth`, secrets named in the environment). See
 * src/lambda/ for the parts and infra/ for the stack.
 */
import { createLambdaHandler } from './lambda/handler';

export const handler = createLambdaHandler(process.env);
