// The TypeScript SDK: a typed HTTP client, the wire contract's types, and signing. In a
// browser import client.ts and signing.ts (signer.ts signs on a native binding, Node only).
export * from './client.ts';
export * from './errors.ts';
export * from './signer.ts';
