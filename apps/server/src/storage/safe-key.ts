/**
 * Storage keys are relative, slash-separated names made by the server (`originals/ab/<sha>`), never
 * by a client. Every store checks them the same way, so a key that is refused by the local folder
 * is refused by a bucket too: no leading dot or slash, no `..`, no backslash.
 */
const SAFE_KEY = /^[a-z0-9][a-z0-9/_.-]*$/i;

export const assertSafeKey = (key: string): string => {
  if (!SAFE_KEY.test(key) || key.includes("..")) throw new Error(`unsafe storage key: ${key}`);
  return key;
};
