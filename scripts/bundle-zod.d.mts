/** Types of scripts/bundle-zod.mjs, for its test. */
export function zodMembersUsed(sources: readonly { readonly path: string; readonly text: string }[]): Promise<string[]>;
export function zodBundle(members: readonly string[]): Promise<string>;
