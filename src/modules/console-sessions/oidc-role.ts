/** The value of the role claim that makes an operator. */
export const OPERATOR_ROLE = 'operator';

/**
 * The string values of a claim: `name` as a claim of its own, else as a dotted path into nested
 * claims (Keycloak's `realm_access.roles`); a string is one value, an array its strings.
 */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const value = name in claims ? claims[name] : name.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), claims);
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
