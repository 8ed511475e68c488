/**
 * A write-then-read HTTP client on a raw socket, as python requests, urllib, HTTPie and wget
 * behave: it sends the request head and the WHOLE body, and only then reads the answer. Its
 * send buffer is made small (SO_SNDBUF), so it cannot park a large body in the kernel: it gets
 * past the body only if the server really reads it. Node cannot set SO_SNDBUF on a TCP socket,
 * so the client is Debian's /usr/bin/python3 (standard library only).
 */
import { execFile } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export interface WriteThenReadResult {
  /** The answer's status line, e.g. "HTTP/1.1 307 Temporary Redirect"; absent when none was read. */
  readonly statusLine?: string;
  readonly status?: number;
  /** Lower-cased header names. */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Body bytes the client managed to send. */
  readonly sent: number;
  /** Where sending or reading failed (e.g. "ConnectionResetError(104, ...)"), if it did. */
  readonly error?: string;
}

const SCRIPT = String.raw`
import json, socket, sys
host, port, head, size, sndbuf, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
out = {"sent": 0, "raw": ""}
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
s.settimeout(timeout)
s.connect((host, port))
try:
    s.sendall(head.encode("latin-1"))
    chunk = bytes(range(256)) * 256
    left = size
    while left > 0:
        n = s.send(chunk[:min(left, len(chunk))])
        left -= n
        out["sent"] += n
    raw = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        raw += got
        if b"\r\n\r\n" in raw:
            head_end = raw.index(b"\r\n\r\n") + 4
            lines = raw[:head_end].decode("latin-1").split("\r\n")
            length = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("content-length:")]
            if length and len(raw) >= head_end + int(length[0]):
                break
    out["raw"] = raw.decode("latin-1")
except Exception as e:
    out["error"] = repr(e)
print(json.dumps(out))
`;

/** Sends `METHOD target` with `headers` and a `size`-byte body (Content-Length added), then reads the answer. */
export function writeThenRead(
  baseUrl: string,
  method: string,
  target: string,
  size: number,
  headers: Readonly<Record<string, string>> = {},
  options: { sndbuf?: number; timeoutSeconds?: number } = {},
): Promise<WriteThenReadResult> {
  const { hostname, port } = new URL(baseUrl);
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${hostname}:${port}`, `Content-Length: ${size}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const head = `${lines.join('\r\n')}\r\n\r\n`;
  const args = ['-c', SCRIPT, hostname, port, head, String(size), String(options.sndbuf ?? 4096), String(options.timeoutSeconds ?? 20)];
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(new Error(`python client failed: ${err.message}`));
      const out = JSON.parse(stdout) as { sent: number; raw: string; error?: string };
      const [headPart = '', ...rest] = out.raw.split('\r\n\r\n');
      const [statusLine, ...headerLines] = headPart.split('\r\n');
      const parsedHeaders: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i > 0) parsedHeaders[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const code = statusLine ? /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] : undefined;
      resolve({
        ...(statusLine && { statusLine }),
        ...(code !== undefined && { status: Number(code) }),
        headers: parsedHeaders,
        body: rest.join('\r\n\r\n'),
        sent: out.sent,
        ...(out.error !== undefined && { error: out.error }),
      });
    });
  });
}
