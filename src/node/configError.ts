// The error a node's configuration raises when it cannot start as configured: a bad
// variable, an unreadable key file, a ledger the configuration cannot open. Its own file
// so that config.ts and chainConfig.ts, which both raise it, need not import each other.
// It holds no logic.

/** Says which setting is wrong and what to do; the CLI prints its message and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
