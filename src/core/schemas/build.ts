import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

/**
 * Tools for the document schemas: each schema is a plain JSON Schema object built with TypeBox, so the
 * same object validates files in the loaders, gives the TypeScript type (`Static<typeof X>`) and is
 * written to `docs/schemas/` by `npm run schemas`.
 */

/** One of a list of strings (`anyOf` of `const`s); its static type is the union of the strings. */
export function oneOf<T extends string>(
  values: readonly T[],
  options: { description?: string } = {},
): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );
}

/**
 * True when A and B are the same type (not merely assignable either way: an optional field present in
 * only one of them makes them differ). Used to hold an interface to its schema at compile time.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when T is `true`: `export type X = Assert<Same<Interface, Static<typeof Schema>>>`. */
export type Assert<T extends true> = T;
