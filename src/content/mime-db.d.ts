// mime-db ships JSON without types; this is the CommonJS shape it exports (see passive-types.ts).
declare module 'mime-db' {
  const db: Readonly<Record<string, { readonly source?: string; readonly charset?: string; readonly compressible?: boolean; readonly extensions?: readonly string[] }>>;
  export = db;
}
