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
 *   lfs        /lfs/<repo>/...                (s3:ListBucket on the lock folders; the share key signs
 *                                              verify tokens; answered by src/lfs/route.ts)
 *   uppy       /uppy/...                      (the multipart actions, s3:PutObject for POST forms; the
 *                                              share key seals sessions and upload tokens)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Feature, Features } from '../config/features';
import { discardUnwantedBody } from '../http/discard-body';
import { sendError } from '../http/error-handler';
import { HttpError } from '../http/errors';
import { MOUNT_ROUTES } from './dispatch';
import type { Endpoint } from './request-target';
import type { UppyHandler } from '../uppy/handler';
import type { MountRoute } from './route-kit';

const WHAT: Readonly<Record<Feature, string>> = {
  multipart: 'multipart uploads are',
  listing: 'folder listings are',
  share: 'share links are',
  web: 'the browser UI is',
  lfs: 'the Git LFS server is',
  uppy: 'the Uppy endpoint is',
};

export function featureDisabled(feature: Feature): HttpError {
  return new HttpError(501, 'feature_disabled', `${WHAT[feature]} turned off on this gateway (features.${feature}: false; on AWS: cdk deploy -c ${feature}=true)`);
}

const ENDPOINT_FEATURES: Readonly<Partial<Record<Endpoint, Feature>>> = {
  listing: 'listing',
  multipart: 'multipart',
  'share-create': 'share',
  'share-open': 'share',
};

/** dispatch.ts's MOUNT_ROUTES, with the endpoints of features that are off answering 501 instead. */
export function featureRoutes(features: Features): Readonly<Record<Endpoint, MountRoute>> {
  const routes: Record<Endpoint, MountRoute> = { ...MOUNT_ROUTES };
  for (const [endpoint, feature] of Object.entries(ENDPOINT_FEATURES) as [Endpoint, Feature][]) {
    if (!features[feature]) {
      routes[endpoint] = (_ctx, req, res) => {
        discardUnwantedBody(req, res); // a multipart Complete's JSON, a share ttl: never read
        return Promise.reject(featureDisabled(feature));
      };
    }
  }
  return routes;
}

/** The Uppy endpoint's handler (src/uppy/handler.ts) when `uppy` is on; when off, every /uppy path answers 501. */
export function uppyFeature(features: Features, uppy: () => UppyHandler): UppyHandler {
  if (features.uppy) return uppy();
  return (req, res) => {
    discardUnwantedBody(req, res); // a create or complete JSON: never read
    return Promise.reject(featureDisabled('uppy'));
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
