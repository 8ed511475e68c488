/**
 * listenOn: binds a server and turns the ways binding fails into one line a person can act on
 * (a ConfigError, so the command prints it alone and exits 2), instead of node's bare
 * `listen EADDRINUSE` or `getaddrinfo ENOTFOUND`. The variables named are the ones that
 * choose the address, so the line says what to change.
 */
import type { Server } from 'node:net';
import { ConfigError } from '../config/load';

export interface ListenTarget {
  readonly port: number;
  readonly host: string;
  /** What is listening, for the message: "the gateway", "the embedded store". */
  readonly what: string;
  /** The variable that sets the port: PORT, SIGNPOST_STORE_PORT. */
  readonly portVariable: string;
}

export function listenOn(server: Server, target: ListenTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(describeListenError(err, target));
    server.once('error', failed);
    server.listen(target.port, target.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** The one-line error for a failed bind; any other error (a data directory, say) as it is. */
export function describeListenError(err: NodeJS.ErrnoException, t: ListenTarget): Error {
  if (err.syscall !== 'listen' && err.syscall !== 'bind' && err.syscall !== 'getaddrinfo') return err;
  const where = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ConfigError(`${t.what} cannot listen on ${where}: the port is already in use (another Signpost?); stop that process or set ${t.portVariable} to a free port`);
    case 'EACCES':
      return new ConfigError(`${t.what} cannot listen on ${where}: permission denied (ports below 1024 need privileges); set ${t.portVariable} to 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`${t.what} cannot listen on ${where}: HOST ${t.host} is not an address of this machine; use one of its addresses, e.g. 127.0.0.1 or ::1`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`${t.what} cannot listen on ${where}: HOST ${t.host} does not resolve to an address (${err.code}); use an IP address, e.g. 127.0.0.1 or ::1`);
    case 'EAFNOSUPPORT':
      return new ConfigError(`${t.what} cannot listen on ${where}: this machine does not support that address family (no IPv6?); use e.g. 127.0.0.1`);
    default:
      return err;
  }
}
