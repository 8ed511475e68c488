#!/usr/bin/env node
/**
 * The `signpost` command: dispatches to a subcommand module and turns configuration and usage
 * errors into a message and an exit code (2), never a stack trace.
 */
import { ConfigError } from './config/load';
import { cp } from './cli/cp';
import { keyCreate } from './cli/key';
import { policyCheck, policyExplain, UsageError } from './cli/policy';
import { serve } from './cli/serve';
import { urlCommand } from './cli/url';

const USAGE = `usage:
  signpost [serve]                       start the gateway (configuration: environment + SIGNPOST_CONFIG)
  signpost policy check FILE             validate a policy file
  signpost policy explain --as SUBJECT|anonymous [--groups a,b] [--claim k=v] [--policy FILE] METHOD PATH
                                         show how the policy decides one request
  signpost key create --subject S [--groups a,b] [--label L]
                                         make an API key and its config entry
  signpost cp [--token T|--key K] [--parallel N] [--resume ID] FILE URL | URL FILE
                                         upload (multipart, parallel, resumable) or download
  signpost url get|head|put [--token T|--key K] [--ttl S] [--type T] [--create-only] [--json] URL
                                         print one presigned URL to hand to someone else (a processing service)`;

async function main(argv: readonly string[]): Promise<number> {
  const [command = 'serve', sub, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'policy':
      if (sub === 'check') return policyCheck(rest);
      if (sub === 'explain') return policyExplain(rest);
      break;
    case 'cp':
      return cp(argv.slice(1));
    case 'url':
      return urlCommand(argv.slice(1));
    case 'key':
      if (sub === 'create') return keyCreate(rest);
      break;
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
  }
  throw new UsageError(`unknown command: ${argv.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`signpost: ${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError) console.error(`signpost: ${err.message}`);
    else console.error(`signpost: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
  },
);
