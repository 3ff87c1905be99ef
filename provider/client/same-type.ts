/**
 * `true` when A and B are the same type, `never` otherwise: `const check: SameType<A, B> = true`
 * fails to compile when a schema's output drifts from the plain interface it stands for.
 */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
