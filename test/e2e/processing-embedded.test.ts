/** Hand files to a processing service, on the embedded store (what `npm start` serves). */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';
import { processingAuth, processingPolicy, processingSuite } from './processing';

jest.setTimeout(60_000);

describeWith('curl', 'apt-get install curl')('processing service: embedded store', () => {
  processingSuite({
    name: 'embedded',
    start: async (dir) => {
      writeFileSync(join(dir, 'signpost.json'), JSON.stringify({ policy: processingPolicy(false), auth: processingAuth }));
      const gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.json') } });
      return { mountUrl: `${gw.url}/files`, stop: () => gw.stop() };
    },
    expects: { written: 200, createOnlyConflict: [412, 'PreconditionFailed'], wrongType: 'refused', chunked: [411, 'MissingContentLength'] },
  });
});
