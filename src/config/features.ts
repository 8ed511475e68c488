/**
 * The gateway's optional features: their names, and all on by default. The long-lived server
 * keeps them all on unless its config turns one off; the CDK stack writes the set it deployed
 * (and granted the role permissions for, infra/object-permissions.ts) into the function's
 * config. A request for a feature that is off gets 501 (src/routes/features.ts; the Git LFS
 * server's in LFS's own error shape, src/lfs/route.ts).
 */
export const FEATURES = ['multipart', 'listing', 'share', 'web', 'lfs', 'uppy'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Readonly<Record<Feature, boolean>>;

export const ALL_FEATURES: Features = { multipart: true, listing: true, share: true, web: true, lfs: true, uppy: true };

/**
 * Features whose tokens one instance signs and another must accept (share links, LFS verify
 * tokens, Uppy sessions and upload tokens), so they need a key every instance shares: on Lambda
 * they are off without one (src/lambda/compose.ts). Listing cursors are signed with it too, but
 * a foreign cursor only restarts a listing (400), so listings work without it.
 */
export const KEYED_FEATURES = ['share', 'lfs', 'uppy'] as const satisfies readonly Feature[];

/** Whether the features need the share key (infra/gateway-function.ts creates it then). */
export const needsShareKey = (features: Features): boolean => features.listing || KEYED_FEATURES.some((f) => features[f]);
