/**
 * What the Lambda fixes on the request serverless-http builds, before the app sees it
 * (serverless-http's `request` hook).
 *
 * Header values are strings, as node:http always gives them: serverless-http sets
 * `content-length` to a *number* when the door sent none (0 for a body-less POST), and code
 * written for node:http compares header strings (a numeric 0 read as "a body of unknown type"
 * turned `POST ?share` without a body into 415 on Lambda).
 *
 * The public base URL: the front door's own domain from the event (`requestContext.domainName`,
 * set by API Gateway or the Function URL service for a domain that belongs to this API, so a
 * client cannot choose it as it can `Host`), plus the stage on an execute-api domain, whose
 * paths start with it. An ALB event names no domain: there, configure `publicUrl`.
 */
import type { IncomingMessage } from 'node:http';
import { vouchPublicBase } from '../http/public-url';
import { detectFrontDoor, type LambdaHttpEvent } from './front-door';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;
const EXECUTE_API = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i;
const STAGE = /^[A-Za-z0-9_-]{1,128}$/;

export function shapeRequest(req: IncomingMessage, event: LambdaHttpEvent): void {
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'number') req.headers[name] = String(value);
  }
  const base = doorBase(event);
  if (base !== undefined) vouchPublicBase(req, base);
}

/** `https://<domain>[/<stage>]` as the front door states it, or undefined (ALB, or not stated). */
export function doorBase(event: LambdaHttpEvent): string | undefined {
  const door = detectFrontDoor(event);
  if (door === undefined || door === 'alb') return undefined;
  const domain = event.requestContext?.domainName;
  if (typeof domain !== 'string' || !HOSTNAME.test(domain)) return undefined;
  const stage = event.requestContext?.stage;
  const staged = EXECUTE_API.test(domain) && typeof stage === 'string' && stage !== '$default' && STAGE.test(stage);
  return `https://${domain.toLowerCase()}${staged ? `/${stage}` : ''}`;
}
