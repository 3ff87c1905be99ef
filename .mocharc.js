// Mocha adds a config file's `spec` to the test files named on its command line, so the whole suite
// is the default only when the command line names none: `npx mocha dist/test/cli/summary.test.js`
// runs that file alone, `npx mocha` runs everything.
const namesTestFiles = process.argv.slice(2).some((arg) => arg.endsWith(".test.js"));

module.exports = {
  ...(namesTestFiles ? {} : { spec: ["dist/test/**/*.test.js"] }),
  timeout: 60000,
  "enable-source-maps": true,
  require: ["dist/test/root-hooks.js"],
};
