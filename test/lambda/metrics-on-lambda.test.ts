/**
 * Metrics on Lambda (issue 15.11): a function has no loopback port, so metrics need the bearer
 * token there, and every front door then answers /metrics to that token only.
 */
import { createLambdaHandler } from '../../src/lambda/handler';
import { memoryLogger } from '../support/memory-log';
import { DOORS, eventFor, headersOf } from './support/door-events';
import { lambdaUnderTest, TEST_ENV } from './support/lambda-under-test';

const TOKEN = 'lambda-metrics-token-of-32-characters+';

test('metrics without a token stop the function at init, saying why', () => {
  expect(() => createLambdaHandler({ ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_METRICS: 'true' }, { logger: memoryLogger('silent').logger })).toThrow(/SIGNPOST_METRICS on Lambda needs SIGNPOST_METRICS_TOKEN/);
});

describe.each(DOORS)('front door %s', (door) => {
  const lambda = lambdaUnderTest({ SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_TOKEN: TOKEN });
  const metrics = async (authorization?: string) => {
    const outcome = eventFor(door, { method: 'GET', path: '/metrics', ...(authorization !== undefined && { headers: { Authorization: authorization } }) });
    if (outcome.kind !== 'event') throw new Error('unexpected');
    const result = await lambda.handler(outcome.event);
    return { status: result.statusCode as number, headers: headersOf(result), body: String(result.body) };
  };

  test('401 without the token, 200 with it', async () => {
    const denied = await metrics();
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="signpost-metrics"');
    expect((await metrics(`Bearer ${TOKEN.slice(1)}`)).status).toBe(401);
    const scraped = await metrics(`Bearer ${TOKEN}`);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('# TYPE signpost_requests_total counter');
  });
});
