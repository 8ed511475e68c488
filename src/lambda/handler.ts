/**
 * createLambdaHandler: the express app behind serverless-http, for every front door.
 *
 * Contract: everything expensive (config, credentials, signer, policy, authentication, the app)
 * is built once per execution environment; the returned handler does per request only what the
 * request needs: normalise the event (one place: normalise-event.ts), hand it to
 * serverless-http, shape the request it builds (request-shape.ts), tidy the result. A path that cannot be normalised is answered 400 without
 * reaching the app. The server's request guard (over-long targets, missing Host) wraps the app
 * here too, so both entry points answer those the same way.
 *
 * Init: with no secrets to fetch, everything happens when this is called (Lambda's init phase)
 * and a configuration problem throws there. With secrets, fetching starts at init and the first
 * request waits for it; a failure fails that request and the next one tries again.
 */
import serverless from 'serverless-http';
import { guardRequests } from '../http/request-guard';
import { composeLambdaGateway, type ComposeOptions } from './compose';
import { FRONT_DOORS, type LambdaHttpEvent } from './front-door';
import { normaliseEvent } from './normalise-event';
import { shapeRequest } from './request-shape';
import { rejection, tidyResult, type LambdaResult } from './responses';
import { fetchLambdaSecrets, lambdaSecretsFrom, type LambdaSecrets } from './secrets';

type Env = Readonly<Record<string, string | undefined>>;

export type LambdaHandler = (event: LambdaHttpEvent, context?: object) => Promise<LambdaResult>;

export function createLambdaHandler(env: Env, options: ComposeOptions = {}): LambdaHandler {
  const names = lambdaSecretsFrom(env);
  if (names === undefined) return serve(env, options, {});

  const start = (): Promise<LambdaHandler> => fetchLambdaSecrets(env, names).then((secrets) => serve(env, options, secrets));
  let ready: Promise<LambdaHandler> | undefined = start();
  ready.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  return async (event, context) => {
    const attempt = (ready ??= start());
    let handler: LambdaHandler;
    try {
      handler = await attempt;
    } catch (err) {
      if (ready === attempt) ready = undefined; // the next request starts over
      throw err;
    }
    return handler(event, context);
  };
}

function serve(env: Env, options: ComposeOptions, secrets: LambdaSecrets): LambdaHandler {
  const { app, logger, config } = composeLambdaGateway(env, options, secrets);
  // binary: false - the gateway answers redirects and small JSON, never binary bodies.
  const inner = serverless(guardRequests(app), { binary: false, request: shapeRequest });
  let warnedNoClient = config.rateLimit === undefined;

  return async (event, context = {}) => {
    const normalised = normaliseEvent(event);
    if (!normalised.ok) {
      logger.info({ door: normalised.door, status: 400, error: 'invalid_path', reason: normalised.reason }, 'request');
      return rejection(normalised.door, event, 'invalid_path', normalised.reason);
    }
    if (!warnedNoClient && normalised.client === undefined) {
      warnedNoClient = true;
      logger.warn({ door: normalised.door, field: FRONT_DOORS[normalised.door].clientAddress }, 'the front door gave no client address: anonymous callers without one share a single rate-limit budget (docs/deploy-aws.md)');
    }
    const result = (await inner(normalised.event, context)) as LambdaResult;
    return tidyResult(result, normalised.door);
  };
}
