/**
 * `signpost url get|head|put URL [--ttl S] [--type T] [--create-only] [--json]`: asks the gateway
 * for one presigned URL (`POST URL?url=METHOD`, see src/routes/url-tickets.ts) to hand to
 * someone else, e.g. a processing service's input and output. Prints the URL alone, or with
 * `--json` the whole ticket on one line (`{method, url, headers, expiresAt}`: `headers` are the
 * ones the holder must send, e.g. the signed Content-Type or Azure's x-ms-blob-type).
 * Auth as `signpost cp`: --token T or --key K (sent as `Authorization: Bearer`), default
 * $SIGNPOST_TOKEN. Exit 0 ok, 1 refused or failed (the gateway's error on stderr), 2 usage.
 */
import { parseArgs } from 'node:util';
import { gatewayJson, stripQuery, withRetries } from './cp-client';
import type { CpIo } from './cp';

const USAGE = 'usage: signpost url get|head|put URL [--token T | --key K] [--ttl SECONDS] [--type T] [--create-only] [--json]';
const METHODS = ['get', 'head', 'put'];

export interface UrlTicket {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export async function urlCommand(args: readonly string[], io: CpIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { token: { type: 'string' }, key: { type: 'string' }, ttl: { type: 'string' }, type: { type: 'string' }, 'create-only': { type: 'boolean' }, json: { type: 'boolean' } },
    });
  } catch (err) {
    io.stderr.write(`signpost url: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [method, target] = positionals;
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  const putOnly = values.type !== undefined || values['create-only'] === true;
  if (positionals.length !== 2 || method === undefined || target === undefined || !METHODS.includes(method) || !/^https?:\/\//i.test(target) || (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl >= 1)) || (putOnly && method !== 'put')) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const body = { ...(ttl !== undefined && { ttl }), ...(values.type !== undefined && { contentType: values.type }), ...(values['create-only'] === true && { createOnly: true }) };
  try {
    // Minting a URL changes nothing, so network failures and 5xx are simply asked again.
    const ticket = await withRetries(3, 250, () =>
      gatewayJson<UrlTicket>(`${stripQuery(target)}?url=${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        token: values.token ?? values.key ?? io.env.SIGNPOST_TOKEN,
      }),
    );
    io.stdout.write(values.json === true ? `${JSON.stringify(ticket)}\n` : `${ticket.url}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`signpost url: ${(err as Error).message}\n`);
    return 1;
  }
}
