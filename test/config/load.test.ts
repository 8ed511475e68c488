import { ConfigError, loadConfig } from '../../src/config/load';

const noFile = () => {
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

describe('loadConfig', () => {
  it('zero config: embedded store, loopback, port 3000, /files, 5 minute URLs', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '.signpost-data',
      urlTtl: 300,
      logLevel: 'info',
      storage: { kind: 'embedded', port: 0 },
      mounts: [{ path: '/files', prefix: '' }],
      corsOrigins: [],
      shutdownGrace: 10,
      metrics: false,
      lfs: {},
      features: { multipart: true, listing: true, share: true, web: true, lfs: true, uppy: true },
      bodyUploads: { mode: 'stream', maxBytes: 5 * 1024 ** 3, concurrency: 16, timeoutSeconds: 3600 },
    });
  });

  it('features: all on unless turned off one by one; SIGNPOST_PUBLIC_URL is a base URL', () => {
    expect(loadConfig({ SIGNPOST_CONFIG: 'c.json' }, () => '{"features":{"listing":false}}').features).toEqual({ multipart: true, listing: false, share: true, web: true, lfs: true, uppy: true });
    expect(() => loadConfig({ SIGNPOST_CONFIG: 'c.json' }, () => '{"features":{"upload":false}}')).toThrow(/features\.upload: not a known setting/);
    expect(loadConfig({ SIGNPOST_PUBLIC_URL: 'https://files.example.com' }).publicUrl).toBe('https://files.example.com');
    expect(() => loadConfig({ SIGNPOST_PUBLIC_URL: 'ftp://files.example.com' })).toThrow(/SIGNPOST_PUBLIC_URL \(publicUrl\)/);
    expect(() => loadConfig({ SIGNPOST_PUBLIC_URL: 'https://files.example.com/?a=1' })).toThrow(/must not have a query/);
  });

  it.each([
    [{ SIGNPOST_BODY_UPLOADS: 'redirect' }, { mode: 'redirect', maxBytes: 5 * 1024 ** 3, concurrency: 16, timeoutSeconds: 3600 }],
    [
      { SIGNPOST_BODY_UPLOADS: 'stream', SIGNPOST_BODY_UPLOADS_MAX_BYTES: '1GiB', SIGNPOST_BODY_UPLOADS_CONCURRENCY: '4', SIGNPOST_BODY_UPLOADS_TIMEOUT: '600' },
      { mode: 'stream', maxBytes: 1024 ** 3, concurrency: 4, timeoutSeconds: 600 },
    ],
    [{ SIGNPOST_BODY_UPLOADS_MAX_BYTES: '1048576' }, { mode: 'stream', maxBytes: 1048576, concurrency: 16, timeoutSeconds: 3600 }],
  ])('bodyUploads from %j', (env, bodyUploads) => {
    expect(loadConfig(env).bodyUploads).toEqual(bodyUploads);
  });

  it('SIGNPOST_BUCKET switches to S3 with the AWS region', () => {
    const config = loadConfig({ SIGNPOST_BUCKET: 'my-bucket', AWS_REGION: 'eu-west-1', SIGNPOST_S3_ENDPOINT: 'http://127.0.0.1:7480', SIGNPOST_FORCE_PATH_STYLE: 'true' });
    expect(config.storage).toEqual({ kind: 's3', bucket: 'my-bucket', region: 'eu-west-1', endpoint: 'http://127.0.0.1:7480', forcePathStyle: true });
  });

  it('reads a YAML config file and lets the environment override it', () => {
    const file = `
port: 8080
urlTtl: 60
mounts:
  - path: /files
  - path: /public
    bucket: public-assets
    prefix: site/
storage:
  kind: s3
  bucket: from-file
  region: us-east-2
`;
    const config = loadConfig({ SIGNPOST_CONFIG: 'c.yaml', PORT: '9090' }, () => file);
    expect(config.port).toBe(9090);
    expect(config.urlTtl).toBe(60);
    expect(config.mounts).toEqual([
      { path: '/files', prefix: '' },
      { path: '/public', bucket: 'public-assets', prefix: 'site/' },
    ]);
    expect(config.storage).toMatchObject({ kind: 's3', bucket: 'from-file', region: 'us-east-2' });
  });

  it.each([
    ['10', { perSecond: 10, burst: 10 }],
    ['2.5:40', { perSecond: 2.5, burst: 40 }],
  ])('SIGNPOST_RATE_LIMIT=%s', (value, rateLimit) => {
    expect(loadConfig({ SIGNPOST_RATE_LIMIT: value }).rateLimit).toEqual(rateLimit);
  });

  it('SIGNPOST_RATE_LIMIT must be numbers', () => {
    expect(() => loadConfig({ SIGNPOST_RATE_LIMIT: 'fast' })).toThrow('SIGNPOST_RATE_LIMIT (rateLimit.perSecond)');
  });

  it('reads JSON config files', () => {
    expect(loadConfig({ SIGNPOST_CONFIG: 'c.json' }, () => '{"host":"::1"}').host).toBe('::1');
  });

  it.each([
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['[::]', '::'],
    ['localhost', 'localhost'],
    ['0.0.0.0', '0.0.0.0'],
  ])('HOST=%s listens on %s (brackets as in a URL are accepted)', (value, host) => {
    expect(loadConfig({ HOST: value }).host).toBe(host);
  });

  it.each([
    [{ SIGNPOST_FORCE_PATH_STYLE: 'false' }, 'SIGNPOST_FORCE_PATH_STYLE (storage.forcePathStyle): applies to S3 storage only, and no bucket is set'],
    [{ SIGNPOST_FORCE_PATH_STYLE: 'true' }, 'SIGNPOST_FORCE_PATH_STYLE (storage.forcePathStyle): applies to S3 storage only'],
    [{ SIGNPOST_S3_ENDPOINT: 'http://127.0.0.1:7480' }, 'SIGNPOST_S3_ENDPOINT (storage.endpoint): applies to S3 storage only'],
    [{ HOST: 'http://127.0.0.1' }, 'HOST (host): must be a host name or an IP address'],
    [{ HOST: '127.0.0.1:3000' }, 'HOST (host): must be a host name or an IP address'],
    [{ HOST: '[::1' }, 'HOST (host): must be a host name or an IP address'],
  ])('%j is refused with the variable named and what to do', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('an unknown key in a config file is named with its full path', () => {
    expect(() => loadConfig({ SIGNPOST_CONFIG: 'c.yaml' }, () => 'storage:\n  kind: embedded\n  colour: blue\n')).toThrow('  - storage.colour: not a known setting');
  });

  it.each([
    [{ SIGNPOST_URL_TTL: '604801' }, 'SIGNPOST_URL_TTL (urlTtl)'],
    [{ SIGNPOST_URL_TTL: '0' }, 'SIGNPOST_URL_TTL (urlTtl)'],
    [{ SIGNPOST_URL_TTL: 'five' }, 'SIGNPOST_URL_TTL (urlTtl)'],
    [{ PORT: '70000' }, 'PORT (port)'],
    [{ SIGNPOST_LOG_LEVEL: 'loud' }, 'SIGNPOST_LOG_LEVEL (logLevel)'],
    [{ SIGNPOST_BUCKET: 'b' }, 'SIGNPOST_BUCKET (storage.bucket)'],
    [{ SIGNPOST_BUCKET: 'bucket' }, 'AWS_REGION (storage.region)'],
    [{ SIGNPOST_BUCKET: 'bucket', AWS_REGION: 'x', SIGNPOST_S3_ENDPOINT: 'not a url' }, 'SIGNPOST_S3_ENDPOINT (storage.endpoint)'],
    [{ SIGNPOST_BUCKET: 'bucket', AWS_REGION: 'x', SIGNPOST_FORCE_PATH_STYLE: 'maybe' }, 'SIGNPOST_FORCE_PATH_STYLE (storage.forcePathStyle)'],
    [{ SIGNPOST_BODY_UPLOADS: 'proxy' }, 'SIGNPOST_BODY_UPLOADS (bodyUploads.mode)'],
    [{ SIGNPOST_BODY_UPLOADS_MAX_BYTES: '6GiB' }, 'SIGNPOST_BODY_UPLOADS_MAX_BYTES (bodyUploads.maxBytes): must be at most 5 GiB'],
    [{ SIGNPOST_BODY_UPLOADS_MAX_BYTES: 'lots' }, 'SIGNPOST_BODY_UPLOADS_MAX_BYTES (bodyUploads.maxBytes)'],
    [{ SIGNPOST_BODY_UPLOADS_CONCURRENCY: '0' }, 'SIGNPOST_BODY_UPLOADS_CONCURRENCY (bodyUploads.concurrency)'],
    [{ SIGNPOST_BODY_UPLOADS_TIMEOUT: '-1' }, 'SIGNPOST_BODY_UPLOADS_TIMEOUT (bodyUploads.timeoutSeconds)'],
  ])('%j is refused naming %s', (env, field) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(field);
  });

  it.each([
    ['mounts:\n  - path: files\n', 'mounts.0.path'],
    ['mounts:\n  - path: /a/../b\n', 'mounts.0.path'],
    ['mounts:\n  - path: /f\n    prefix: tenant\n', 'mounts.0.prefix'],
    ['mounts:\n  - path: /f\n    prefix: ../\n', 'mounts.0.prefix'],
    ['mounts:\n  - path: /f\n  - path: /f\n', 'mounts.1.path'],
    ['mounts: []\n', 'mounts'],
    ['colour: blue\n', 'colour'],
    ['- a list\n', 'must hold an object'],
    ['port: [1\n', 'cannot parse'],
  ])('config file %j is refused naming %s', (text, field) => {
    expect(() => loadConfig({ SIGNPOST_CONFIG: 'c.yaml' }, () => text)).toThrow(field);
  });

  it('a missing config file is a clear error', () => {
    expect(() => loadConfig({ SIGNPOST_CONFIG: '/nope.yaml' }, noFile)).toThrow('cannot read SIGNPOST_CONFIG file /nope.yaml: ENOENT');
  });
});
