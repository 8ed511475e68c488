/**
 * What the LFS endpoints share, built once per app: the mount whose storage holds the objects and
 * locks (under its prefix), the gateway's own storage calls on it, the lock store, and the logger
 * for bugs.
 */
import type { Logger } from '../log';
import type { Mount } from '../storage/mount';
import { objectCalls, type ObjectCalls, type ObjectCallsOptions } from '../storage/object-calls';
import { lockStore, type LockStore } from './lock-store';

export interface LfsContext {
  readonly mount: Mount;
  readonly calls: ObjectCalls;
  readonly locks: LockStore;
  readonly logger: Logger;
}

export function createLfsContext(mount: Mount, logger: Logger, options: ObjectCallsOptions = {}): LfsContext {
  const calls = objectCalls(mount, options);
  return { mount, calls, locks: lockStore(mount, calls), logger };
}
