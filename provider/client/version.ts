/** The version of this package, read from its package.json (three levels above the compiled file). */
export const PACKAGE_VERSION: string = (require("../../../package.json") as { version: string }).version;
