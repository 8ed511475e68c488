/**
 * What a request for an optional feature that is off gets (config `features`, src/config/features.ts):
 * 501 `feature_disabled` with a one-line reason, before authentication, policy or storage are
 * asked anything. On AWS the stack turns off what it did not grant the role permissions for, so
 * such a request is refused with a reason instead of failing later at S3 with a 502.
 *
 *   multipart  POST ?uploads, ?uploadId=...   (s3:AbortMultipartUpload, s3:ListMultipartUploadParts)
 *   listing    GET <folder>/                  (s3:ListBucket)
 *   share      POST ?share, GET|HEAD ?share=  (a share key that every instance shares)
 *   web        GET /, GET /assets/...         (the page; bucket CORS for the gateway's origin)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Feature, Features } from '../config/features';
import { discardUnwantedBody } from '../http/discard-body';
import { sendError } from '../http/error-handler';
import { HttpError } from '../http/errors';
import { routeFor } from './dispatch';
import { listing } from './listing';
import { multipart } from './multipart';
import type { MountRoute } from './route-kit';
import { createShareLink, openShareLink } from './share-links';

const WHAT: Readonly<Record<Feature, string>> = {
  multipart: 'multipart uploads are',
  listing: 'folder listings are',
  share: 'share links are',
  web: 'the browser UI is',
};

export function featureDisabled(feature: Feature): HttpError {
  return new HttpError(501, 'feature_disabled', `${WHAT[feature]} turned off on this gateway (features.${feature}: false; on AWS: cdk deploy -c ${feature}=true)`);
}

const ROUTE_FEATURES = new Map<MountRoute, Feature>([
  [listing, 'listing'],
  [multipart, 'multipart'],
  [createShareLink, 'share'],
  [openShareLink, 'share'],
]);

/** routeFor, with the routes of features that are off answering 501 instead. */
export function featureRoutes(features: Features): typeof routeFor {
  const off = new Map<MountRoute, MountRoute>();
  for (const [route, feature] of ROUTE_FEATURES) {
    if (!features[feature]) {
      off.set(route, (_ctx, req, res) => {
        discardUnwantedBody(req, res); // a multipart Complete's JSON, a share ttl: never read
        return Promise.reject(featureDisabled(feature));
      });
    }
  }
  if (off.size === 0) return routeFor;
  return (method, folder, query) => {
    const route = routeFor(method, folder, query);
    return route === undefined ? undefined : (off.get(route) ?? route);
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The web UI's handler when `web` is on; when off, its two paths answer 501 and the rest passes on. */
export function webFeature(features: Features, web: () => Handler): Handler {
  if (features.web) return web();
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isWeb = path === '/' || path === '/index.html' || path.startsWith('/assets/');
    if (isWeb && (req.method === 'GET' || req.method === 'HEAD')) return sendError(res, featureDisabled('web'));
    next?.();
  };
}
