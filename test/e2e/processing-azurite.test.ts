/**
 * Hand files to a processing service, on Azure Blob (Azurite verifies SAS signatures,
 * permissions and expiry). Output URLs carry `x-ms-blob-type: BlockBlob` in their headers;
 * create-only is the SAS's `c` permission; a content type cannot be bound by a SAS, so the
 * type rule needs `enforce: gateway` and storage stores whatever type the service sends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startServer } from '../../src/server';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../support/azurite';
import { memoryLogger } from '../support/memory-log';
import { describeWith } from '../support/require-tool';
import { processingAuth, processingPolicy, processingSuite } from './processing';

jest.setTimeout(60_000);

describeWith('curl', 'apt-get install curl')('processing service: Azure Blob (Azurite)', () => {
  let azurite: Azurite | undefined;
  processingSuite({
    name: 'azurite',
    start: async (dir) => {
      azurite = await startAzurite();
      const container = await azurite.createContainer();
      const configFile = join(dir, 'signpost.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          policy: processingPolicy(true),
          auth: processingAuth,
          backends: { blobs: { kind: 'azure', account: AZURITE_ACCOUNT, container, endpoint: azurite.endpoint, accountKey: AZURITE_KEY } },
          mounts: [{ path: '/blobs', storage: 'blobs' }],
        }),
      );
      const config = loadConfig({ SIGNPOST_CONFIG: configFile, PORT: '0', HOST: '127.0.0.1', SIGNPOST_DATA_DIR: join(dir, 'data'), SIGNPOST_SHUTDOWN_GRACE: '1' });
      const running = await startServer(config, { logger: memoryLogger('info').logger });
      return {
        mountUrl: `${running.url}/blobs`,
        stop: async () => {
          await running.close();
          await azurite?.stop();
        },
      };
    },
    expects: { written: 201, createOnlyConflict: [403, 'AuthorizationPermissionMismatch'], wrongType: 'stored', chunked: [400, undefined] },
  });
});
