import path from "node:path";

/** The repository root, for the development tools (this file is compiled to dist/tools/); tools do not import the test harness. */
export const REPO_ROOT = path.resolve(__dirname, "../..");
