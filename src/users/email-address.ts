/**
 * The one spelling of an email the demo stores and looks up: trimmed, Unicode NFC (so a
 * decomposed accent is the same address) and lower case. The column compares bytes
 * (see the collation migration), so no database folds two spellings into one account.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
