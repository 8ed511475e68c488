/** What the Uppy test page (page/main.ts) and the test driving it (browser-suite.ts) exchange. */
export interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly key?: string;
  readonly location?: string;
  readonly error?: string;
}

export interface UploadOptions {
  /** `companionEndpoint`: `<gateway>/uppy` or a session's `<gateway>/uppy/s/<session>`. */
  readonly endpoint: string;
  /** The gateway folder every file goes to (Uppy meta `folder`). */
  readonly folder: string;
  /** Use multipart above this size (Uppy's default: 100 MiB). */
  readonly multipartOver?: number;
}

/** The function the page puts on `window`. */
export type UppyUpload = (options: UploadOptions) => Promise<Outcome[]>;
