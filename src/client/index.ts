// The TypeScript SDK: a typed HTTP client and a local signer.
export * from './client.ts';
export * from './errors.ts';
export * from './signer.ts';
