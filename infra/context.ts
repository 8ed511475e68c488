/**
 * Stack props from CDK context: `-c key=value` on the command line or the `context` block of
 * cdk.json. Command-line values are strings, cdk.json values may be JSON; both are accepted.
 * Everything is optional; an invalid value stops the synth with a message naming the key.
 *
 *   bucketName, bucketRegion     use an existing bucket (and its region if not the stack's)
 *   versioned                    new bucket keeps versions (true/false)
 *   allowedOrigins               browser origins, comma-separated (also allows Origin: null)
 *   mountPath, keyPrefix         where files live on the gateway and in the bucket
 *   urlTtl                       presigned URL lifetime, seconds (at most 900 on Lambda)
 *   policyFile                   policy (YAML/JSON), validated and bundled as JSON
 *   authFile                     auth settings (YAML/JSON, no secrets); jwtSecret, apiKeysParameter name the secrets
 *   openAccess                   true: serve everyone when no policy is set (trying it out)
 *   frontDoor                    http-api (default), rest-api or function-url
 *   domainName, certificateArn   custom domain (both or neither)
 *   multipart, listing, share, web   features, each true (default) or false: what is off answers
 *                                501 and costs no permission (docs/deploy-aws.md has the table)
 *   shareKeyVersion              change it to rotate the share key (every share link dies)
 *   memorySize                   MB, default 1024
 */
import { FEATURES, type Features } from '../src/config/features';
import { FRONT_DOOR_KINDS, type FrontDoorKind } from './front-door';
import type { SignpostStackProps } from './signpost-stack';

type Lookup = (key: string) => unknown;

export function propsFromContext(get: Lookup): SignpostStackProps {
  const str = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`context ${key}: expected a string`);
    return String(value);
  };
  const bool = (key: string): boolean | undefined => {
    const value = str(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new Error(`context ${key}: expected true or false, got "${value}"`);
    return value === 'true';
  };
  const int = (key: string): number | undefined => {
    const value = str(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`context ${key}: expected a whole number, got "${value}"`);
    return Number(value);
  };
  const list = (key: string): string[] | undefined => {
    const value = get(key);
    if (Array.isArray(value)) return value.map(String);
    return str(key)?.split(',').map((s) => s.trim()).filter(Boolean);
  };

  const frontDoor = str('frontDoor');
  if (frontDoor !== undefined && !isFrontDoor(frontDoor)) throw new Error(`context frontDoor: expected ${FRONT_DOOR_KINDS.join(', ')}, got "${frontDoor}"`);
  const domainName = str('domainName');
  const certificateArn = str('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined)) throw new Error('context domainName and certificateArn go together');
  const bucketName = str('bucketName');
  const bucketRegion = str('bucketRegion');
  const versioned = bool('versioned');
  const origins = list('allowedOrigins');
  const mountPath = str('mountPath');
  const keyPrefix = str('keyPrefix');
  const urlTtl = int('urlTtl');
  const memorySize = int('memorySize');
  const policyFile = str('policyFile');
  const authFile = str('authFile');
  const jwtSecret = str('jwtSecret');
  const apiKeysParameter = str('apiKeysParameter');
  const openAccess = bool('openAccess');
  const features = Object.fromEntries(FEATURES.flatMap((name) => {
    const value = bool(name);
    return value === undefined ? [] : [[name, value]];
  })) as Partial<Features>;
  const shareKeyVersion = str('shareKeyVersion');

  return {
    bucket: {
      ...(bucketName !== undefined && { existingBucketName: bucketName }),
      ...(bucketRegion !== undefined && { existingBucketRegion: bucketRegion }),
      ...(versioned !== undefined && { versioned }),
    },
    ...(origins && { allowedOrigins: origins }),
    ...(mountPath !== undefined && { mountPath }),
    ...(keyPrefix !== undefined && { keyPrefix }),
    ...(urlTtl !== undefined && { urlTtlSeconds: urlTtl }),
    ...(memorySize !== undefined && { memorySize }),
    access: {
      ...(policyFile !== undefined && { policyFile }),
      ...(authFile !== undefined && { authFile }),
      ...(jwtSecret !== undefined && { jwtSecret }),
      ...(apiKeysParameter !== undefined && { apiKeysParameter }),
      ...(openAccess !== undefined && { openAccess }),
    },
    features,
    ...(shareKeyVersion !== undefined && { shareKeyVersion }),
    ...(frontDoor !== undefined && { frontDoor }),
    ...(domainName !== undefined && certificateArn !== undefined && { domain: { name: domainName, certificateArn } }),
  };
}

function isFrontDoor(value: string): value is FrontDoorKind {
  return (FRONT_DOOR_KINDS as readonly string[]).includes(value);
}
