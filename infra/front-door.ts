/**
 * FrontDoor: what clients call - every path and method goes to the gateway function.
 *
 * `http-api` (default): API Gateway HTTP API, one `$default` route, `$default` stage. Cheapest
 * and fastest, and it has no response cache at all. But it hands the function a decoded path
 * and decodes `%25xx` twice and cuts at `%3F`, so keys containing `%` or `?` cannot be reached
 * through it (the function answers 400 where it can tell, see src/lambda/canonical-path.ts).
 *
 * `rest-api`: API Gateway REST API, `{proxy+}` and `/` to the function, which keeps the path
 * encoded, so every key works. Stage caching is off (a cache would hand one caller's presigned
 * URL to the next). Binary media `*\/*`, so a PUT body that comes along is passed as base64
 * rather than mangled (the function drops it unread).
 *
 * Both: access logs in their own log group, stage throttling, optional custom domain at the
 * root (no base path: the gateway's mounts are absolute).
 *
 * `function-url`: a Lambda Function URL (auth NONE: the gateway authenticates; buffered). No
 * extra service, path kept encoded, 6 MB bodies. No throttling or access log of its own (the
 * function's log records every request; reserved concurrency bounds it if needed), no custom
 * domain. Its URL is only known once created, after the function: the function learns it per
 * request from the event's `requestContext.domainName` (src/lambda/request-shape.ts).
 *
 * Besides the URL: `publicUrl`, the base share links are built on when it is known at synth
 * (the API Gateway doors; naming it does not make the function depend on the stage, which would
 * be a cycle), and `origins`, the browser origins the web UI runs at (the bucket's CORS).
 */
import { Fn, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const FRONT_DOOR_KINDS = ['http-api', 'rest-api', 'function-url'] as const;
export type FrontDoorKind = (typeof FRONT_DOOR_KINDS)[number];

export interface CustomDomain {
  readonly name: string;
  /** An ACM certificate for `name`, in the stack's region. */
  readonly certificateArn: string;
}

export interface FrontDoorProps {
  readonly kind: FrontDoorKind;
  readonly handler: lambda.IFunction;
  readonly domain?: CustomDomain;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
}

const REST_STAGE = 'prod';

/** No query strings, no headers: the access log must never hold a credential. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  time: '$context.requestTime',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
};

export class FrontDoor extends Construct {
  /** Base URL clients use (no trailing slash). */
  readonly url: string;
  /** The DNS target for the custom domain's CNAME/alias, when one is configured. */
  readonly domainTarget?: string;
  /** The base URL clients reach the gateway at, when known at synth (share links). */
  readonly publicUrl?: string;
  /** Browser origins the gateway's own pages run at. */
  readonly origins: readonly string[];

  constructor(scope: Construct, id: string, props: FrontDoorProps) {
    super(scope, id);
    if (props.kind === 'function-url') {
      if (props.domain) throw new Error('Signpost: a Function URL cannot have a custom domain; use frontDoor=http-api or rest-api with domainName');
      const url = new lambda.FunctionUrl(this, 'Url', { function: props.handler, authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.BUFFERED });
      this.url = `https://${Fn.select(2, Fn.split('/', url.url))}`; // https://<id>.lambda-url.<region>.on.aws/ without the slash
      // The id is made at creation; naming this URL in the bucket would be a cycle (bucket -> URL -> function -> bucket).
      this.origins = [`https://*.lambda-url.${Stack.of(this).region}.on.aws`];
      return;
    }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const custom = props.domain && `https://${props.domain.name}`;
    const format = apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));
    const certificate = props.domain && acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn);

    if (props.kind === 'http-api') {
      const domainName = props.domain && certificate && new apigwv2.DomainName(this, 'Domain', { domainName: props.domain.name, certificate });
      const api = new apigwv2.HttpApi(this, 'HttpApi', {
        description: 'Signpost gateway',
        createDefaultStage: false,
        defaultIntegration: new HttpLambdaIntegration('Gateway', props.handler, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0 }),
      });
      new apigwv2.HttpStage(this, 'Stage', {
        httpApi: api,
        stageName: '$default',
        autoDeploy: true,
        throttle: props.throttle,
        accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format },
        ...(domainName && { domainMapping: { domainName } }),
      });
      this.url = api.apiEndpoint;
      if (domainName) this.domainTarget = domainName.regionalDomainName;
      this.publicUrl = custom ?? api.apiEndpoint;
      this.origins = [api.apiEndpoint, ...(custom ? [custom] : [])];
    } else {
      const api = new apigw.LambdaRestApi(this, 'RestApi', {
        handler: props.handler,
        proxy: true,
        description: 'Signpost gateway',
        endpointTypes: [apigw.EndpointType.REGIONAL],
        binaryMediaTypes: ['*/*'],
        cloudWatchRole: false,
        deployOptions: {
          stageName: REST_STAGE,
          cacheClusterEnabled: false,
          cachingEnabled: false,
          throttlingRateLimit: props.throttle.rateLimit,
          throttlingBurstLimit: props.throttle.burstLimit,
          accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
          accessLogFormat: format,
        },
        ...(props.domain && certificate && { domainName: { domainName: props.domain.name, certificate, endpointType: apigw.EndpointType.REGIONAL } }),
      });
      this.url = api.url.replace(/\/$/, '');
      if (api.domainName) this.domainTarget = api.domainName.domainNameAliasDomainName;
      const origin = `https://${api.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
      this.publicUrl = custom ?? `${origin}/${REST_STAGE}`; // a literal: naming the stage resource would be a cycle
      this.origins = [origin, ...(custom ? [custom] : [])];
    }
  }
}
