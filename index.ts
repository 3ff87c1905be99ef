/**
 * What a Pulumi program uses: the data source and the guard, and the types of the figures they
 * carry. The KooDrive client itself is `pulumi-koodrive/sdk`, so a program that only declares
 * guards does not load an HTTP stack and schemas it never runs (they run in the provider process).
 */
export * from "./provider";
export type * from "./sdk";
