/**
 * What the Lambda fixes on serverless-http's request: header values are strings (a body-less
 * POST used to carry a numeric content-length 0 and got 415), and the share links' base URL
 * comes from the domain the front door states, never from Host.
 */
import { doorBase } from '../../src/lambda/request-shape';
import { eventFor, type Door } from './support/door-events';
import { lambdaUnderTest } from './support/lambda-under-test';

const lambda = lambdaUnderTest({ SIGNPOST_SHARE_KEY: 's'.repeat(32) });

function event(door: Door, req: Parameters<typeof eventFor>[1]) {
  const outcome = eventFor(door, req);
  if (outcome.kind !== 'event') throw new Error('unexpected');
  return outcome.event;
}

test.each([
  ['http-api', 'https://abc123.execute-api.us-east-1.amazonaws.com'],
  ['http-api-v1', 'https://abc123.execute-api.us-east-1.amazonaws.com/prod'], // the fixture's named stage
  ['rest-api', 'https://abc123.execute-api.us-east-1.amazonaws.com/prod'], // an execute-api REST URL starts with its stage
  ['function-url', 'https://urlid123.lambda-url.us-east-1.on.aws'],
  ['alb', undefined], // an ALB event names no domain: configure publicUrl
])('%s: the base is %s', (door, base) => {
  expect(doorBase(event(door as Door, { method: 'GET', path: '/files/a', headers: { Host: 'evil.example' } }))).toBe(base);
});

test('a custom domain has no stage in its paths; a malformed domain is not vouched for', () => {
  const rest = event('rest-api', { method: 'GET', path: '/files/a' });
  const withDomain = (domainName: unknown) => ({ ...rest, requestContext: { ...rest.requestContext, domainName } });
  expect(doorBase(withDomain('files.example.com'))).toBe('https://files.example.com');
  for (const bad of ['evil.example/x', 'evil.example:1', 'a b.example', '', 42]) expect(doorBase(withDomain(bad))).toBeUndefined();
});

describe.each(['rest-api', 'http-api', 'function-url', 'alb'] as const)('%s', (door) => {
  test('POST ?share without a body is a share link, not 415', async () => {
    const result = await lambda.handler(event(door, { method: 'POST', path: '/files/report.pdf', query: 'share' }));
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body as string) as { path: string }).path).toMatch(/^\/files\/report\.pdf\?share=\d+\.[\w-]{43}$/);
  });
});

// An ALB names no domain; what its share links are built on without publicUrl is the share-link
// route's business (issue 15: the listening address, never Host).
describe.each(['rest-api', 'http-api', 'function-url'] as const)('%s', (door) => {
  test('the share link\'s URL is built on the door\'s domain, not on Host', async () => {
    const result = await lambda.handler(event(door, { method: 'POST', path: '/files/report.pdf', query: 'share', headers: { Host: 'evil.example' } }));
    const body = JSON.parse(result.body as string) as { url: string; path: string };
    expect(body.url).toBe(`${doorBase(event(door, { method: 'GET', path: '/' }))!}${body.path}`);
  });
});

test('a configured publicUrl wins over the door\'s domain', async () => {
  const configured = lambdaUnderTest({ SIGNPOST_SHARE_KEY: 's'.repeat(32), SIGNPOST_PUBLIC_URL: 'https://files.example.com/' });
  const result = await configured.handler(event('http-api', { method: 'POST', path: '/files/a.txt', query: 'share' }));
  expect((JSON.parse(result.body as string) as { url: string }).url).toMatch(/^https:\/\/files\.example\.com\/files\/a\.txt\?share=/);
});
