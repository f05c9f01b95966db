// The roles, lowest first: each may do what the ones before it may (server/auth/config.ts ROLES).
export type RoleName = 'viewer' | 'operator' | 'approver' | 'admin';
export const ROLES: readonly RoleName[] = ['viewer', 'operator', 'approver', 'admin'];

/** Whether `role` reaches `minimum`; an unknown role (or none) reaches nothing. */
export const reaches = (role: string | undefined, minimum: RoleName): boolean => ROLES.includes(role as RoleName) && ROLES.indexOf(role as RoleName) >= ROLES.indexOf(minimum);
