/**
 * The Uppy test page: stock @uppy/core + @uppy/aws-s3 (bundled by the test with esbuild), set up
 * exactly as docs/uppy.md says (companionEndpoint = the gateway's Uppy endpoint, the target
 * folder in Uppy's meta). The test picks files into #pick and calls window.uppyUpload;
 * each file's outcome (Uppy's own result and error message) is shown in #out and returned.
 */
import Uppy from '@uppy/core';
import AwsS3 from '@uppy/aws-s3';
import type { Outcome, UppyUpload } from '../page-types';

declare global {
  interface Window {
    uppyUpload: UppyUpload;
  }
}

const input = document.querySelector<HTMLInputElement>('#pick')!;
const out = document.querySelector<HTMLElement>('#out')!;

window.uppyUpload = async ({ endpoint, folder, multipartOver }) => {
  const uppy = new Uppy<{ folder: string }, Record<string, never>>({ id: `uppy-${Date.now()}`, meta: { folder } });
  uppy.use(AwsS3, { companionEndpoint: endpoint, ...(multipartOver !== undefined && { shouldUseMultipart: (file) => (file.size ?? 0) > multipartOver }) });
  for (const file of Array.from(input.files ?? [])) uppy.addFile({ name: file.name, type: file.type, data: file });
  const result = await uppy.upload();
  const outcomes: Outcome[] = [
    ...(result?.successful ?? []).map((f: { name?: string; response?: { body?: unknown; uploadURL?: string } }) => ({ name: f.name ?? '', ok: true, key: String((f.response?.body as { key?: unknown } | undefined)?.key), location: f.response?.uploadURL ?? '' })),
    ...(result?.failed ?? []).map((f: { name?: string; error?: unknown }) => ({ name: f.name ?? '', ok: false, error: String(f.error) })),
  ];
  out.textContent = outcomes.map((o) => `${o.name}: ${o.ok ? `uploaded to ${o.key ?? ''}` : `failed: ${o.error ?? ''}`}`).join('\n');
  uppy.destroy();
  return outcomes;
};
