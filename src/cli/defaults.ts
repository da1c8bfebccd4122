// Defaults the CLI names in its help text as well as uses: kept apart from context.ts so
// that `tributary --help` can print them without loading the client and its dependencies.
// Must never import anything.

export const DEFAULT_NODE = 'http://127.0.0.1:8790';
