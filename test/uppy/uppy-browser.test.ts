/**
 * Stock Uppy in Chromium against the gateway on its embedded store (browser-suite.ts). Needs
 * chromium: in CI (CI=true) a missing one fails the run; locally the suite is skipped loudly.
 */
import { describeWith } from '../support/require-tool';
import { startUppyGateway } from '../support/uppy';
import { uppyBrowserSuite } from './browser-suite';

jest.setTimeout(300_000);

describeWith('chromium', 'apt-get install chromium')('Uppy in the browser: embedded store', () => {
  uppyBrowserSuite('embedded', async (pageOrigin) => {
    const gateway = await startUppyGateway({ corsOrigin: pageOrigin });
    return { gateway, stop: () => gateway.stop() };
  });
});
