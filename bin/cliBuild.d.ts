// Types of bin/cliBuild.js (plain JavaScript, because it runs before any TypeScript loader), for the tests.

export declare const BUILD_DIR: string;
export declare const STAMP_FILE: string;
export declare const STAMP_VERSION: number;
export declare function fingerprint(root: string, paths: readonly string[]): [path: string, mtimeMs: number, size: number][];
export declare function buildStaleness(root: string): string | undefined;
