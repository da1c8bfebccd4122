// API keys in protocol state: only a key's SHA-256 is ever recorded, never the key, so the
// public log cannot leak one. A key spends from the prepaid balance of the account that
// created it, until that account revokes it.
import type { StateReader } from '../protocol/state.ts';

export interface ApiKeyRecord {
  keyHash: string;
  account: string;
  label: string;
  createdAt: number;
  revoked: boolean;
}

export const apiKeyKeys = {
  key: (keyHash: string) => `apikey/${keyHash}`,
};

export function findApiKey(state: StateReader, keyHash: string): ApiKeyRecord | undefined {
  return state.get<ApiKeyRecord>(apiKeyKeys.key(keyHash.toLowerCase()));
}
