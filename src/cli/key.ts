/**
 * `signpost key create --subject S [--groups a,b] [--label L]`: prints a new API key once (it is
 * never stored) and the config entry holding only its hash.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { createApiKey } from '../auth';
import { UsageError } from './policy';

export function keyCreate(args: readonly string[]): number {
  const { values } = parseArgs({ args: [...args], options: { subject: { type: 'string' }, groups: { type: 'string' }, label: { type: 'string' } } });
  if (!values.subject) throw new UsageError('key create needs --subject SUBJECT');
  const groups = (values.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  const { key, entry } = createApiKey({ subject: values.subject, groups, ...(values.label !== undefined && { label: values.label }) });
  console.log(`API key (shown once, store it now):\n  ${key}\n`);
  console.log(`Add this entry under auth.apiKeys in your config file:\n`);
  console.log(stringify({ auth: { apiKeys: [entry] } }).replace(/^/gm, '  '));
  console.log(`Use it with:  curl -u :${key.slice(0, 6)}… -L URL   or   -H 'Authorization: Bearer <key>'`);
  return 0;
}
