/** `GET /healthz`: the process is up and serving. Deliberately touches no storage. */
import type { Request, Response } from 'express';

export function healthRoute(_req: Request, res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.json({ status: 'ok' });
}
