/**
 * The gateway's optional features: their names, and all on by default. The long-lived server
 * keeps them all on unless its config turns one off; the CDK stack writes the set it deployed
 * (and granted the role permissions for, infra/object-permissions.ts) into the function's
 * config. A request for a feature that is off gets 501 (src/routes/features.ts).
 */
export const FEATURES = ['multipart', 'listing', 'share', 'web'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Readonly<Record<Feature, boolean>>;

export const ALL_FEATURES: Features = { multipart: true, listing: true, share: true, web: true };
