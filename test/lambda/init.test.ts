/**
 * Init-time behaviour: what the Lambda refuses to start with (and says so), what it sets up once
 * per container, and how URL lifetimes are capped by what is known of the role's credentials.
 */
import { createLambdaHandler } from '../../src/lambda/handler';
import { LAMBDA_MAX_URL_TTL_SECONDS, lambdaEnvCredentials } from '../../src/lambda/env-credentials';
import { memoryLogger } from '../support/memory-log';
import { eventFor } from './support/door-events';
import { FIXED_NOW, lambdaUnderTest, signedParam, TEST_ENV } from './support/lambda-under-test';

const GET = eventFor('http-api', { method: 'GET', path: '/files/a.txt' });
const getEvent = () => {
  if (GET.kind !== 'event') throw new Error('unexpected');
  return structuredClone(GET.event);
};
const OPEN: Record<string, string> = { ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_LOG_LEVEL: 'silent' };
const without = (name: string) => Object.fromEntries(Object.entries(OPEN).filter(([k]) => k !== name));

describe('init fails with a message saying what to do', () => {
  test('no bucket: the embedded store is not available on Lambda', () => {
    expect(() => createLambdaHandler(without('SIGNPOST_BUCKET'))).toThrow(/SIGNPOST_BUCKET is required on Lambda.*embedded store/);
  });
  test('no role credentials in the environment', () => {
    expect(() => createLambdaHandler(without('AWS_SECRET_ACCESS_KEY'))).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
  });
  test('an invalid setting names its variable', () => {
    expect(() => createLambdaHandler({ ...OPEN, SIGNPOST_URL_TTL: 'soon' })).toThrow(/SIGNPOST_URL_TTL/);
  });
  test('no policy and no explicit SIGNPOST_ALLOW_ALL=true: refuse (fail closed)', () => {
    expect(() => createLambdaHandler(TEST_ENV)).toThrow(/no policy configured \(SIGNPOST_POLICY\).*SIGNPOST_ALLOW_ALL=true/);
    expect(() => createLambdaHandler({ ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'yes' })).toThrow(/no policy configured/);
    expect(() => createLambdaHandler({ ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_LOG_LEVEL: 'silent' })).not.toThrow();
  });
  test('a policy that does not load stops init, naming the problem', () => {
    expect(() => createLambdaHandler({ ...TEST_ENV, SIGNPOST_POLICY: '/nonexistent/policy.json' })).toThrow(/invalid policy[\s\S]*cannot read/);
  });
});

describe('src/lambda.ts', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  test('exports a handler configured from process.env at load', async () => {
    process.env = { ...saved, ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_LOG_LEVEL: 'silent' };
    await jest.isolateModulesAsync(async () => {
      const { handler } = await import('../../src/lambda');
      expect((await handler(getEvent())).statusCode).toBe(307);
    });
  });
  test('fails to load without SIGNPOST_ALLOW_ALL or a policy', async () => {
    process.env = { ...saved, ...TEST_ENV, SIGNPOST_LOG_LEVEL: 'silent' };
    delete process.env.SIGNPOST_ALLOW_ALL;
    await jest.isolateModulesAsync(async () => {
      await expect(import('../../src/lambda')).rejects.toThrow(/no policy configured/);
    });
  });
});

describe('set up once per container', () => {
  test('credentials and config are read at init, not per request', async () => {
    const env: Record<string, string> = { ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true' };
    const handler = createLambdaHandler(env, { now: () => FIXED_NOW, logger: memoryLogger('silent').logger });
    env.AWS_ACCESS_KEY_ID = 'ASIACHANGEDCHANGED01';
    env.SIGNPOST_BUCKET = 'another-bucket';
    const location = (await handler(getEvent())).headers as Record<string, string>;
    expect(signedParam(location.location!, 'X-Amz-Credential')).toMatch(/^ASIAEXAMPLELAMBDA001\//);
    expect(new URL(location.location!).hostname).toBe('signpost-lambda-test.s3.eu-west-1.amazonaws.com');
  });
});

describe('URL lifetime is capped by what is known of the role credentials', () => {
  const expiresOf = async (env: Record<string, string>) => {
    const { handler, logLines } = lambdaUnderTest(env);
    const result = await handler(getEvent());
    const location = (result.headers as Record<string, string>).location;
    return { status: result.statusCode, expires: location ? signedParam(location, 'X-Amz-Expires') : null, logLines };
  };
  test('the configured lifetime when it is shorter', async () => {
    expect((await expiresOf({})).expires).toBe('300');
  });
  test(`at most ${LAMBDA_MAX_URL_TTL_SECONDS} s, with a warning at init`, async () => {
    const { expires, logLines } = await expiresOf({ SIGNPOST_URL_TTL: '3600' });
    expect(expires).toBe(String(LAMBDA_MAX_URL_TTL_SECONDS));
    expect(logLines.some((l) => l.includes('URLs are capped'))).toBe(true);
  });
  test('at AWS_CREDENTIAL_EXPIRATION when the environment states one', async () => {
    const soon = new Date(FIXED_NOW.getTime() + 120_000).toISOString();
    expect((await expiresOf({ AWS_CREDENTIAL_EXPIRATION: soon })).expires).toBe('120');
  });
  test('expired credentials: 503, never a dead URL', async () => {
    const past = new Date(FIXED_NOW.getTime() + 10_000).toISOString();
    expect((await expiresOf({ AWS_CREDENTIAL_EXPIRATION: past })).status).toBe(503);
  });
  test('a sliding horizon: every signing moment gets the full cap', async () => {
    const source = lambdaEnvCredentials(TEST_ENV);
    const later = new Date(FIXED_NOW.getTime() + 6 * 3600_000);
    expect((await source.get(later)).expiration).toEqual(new Date(later.getTime() + LAMBDA_MAX_URL_TTL_SECONDS * 1000));
    expect(() => lambdaEnvCredentials({ ...TEST_ENV, AWS_CREDENTIAL_EXPIRATION: 'tomorrow' })).toThrow(/ISO-8601/);
  });
});
