// Mocha adds a config file's `spec` to the test files named on its command line, so the whole suite
// is the default only when the command line names none: `npx mocha dist/test/cli/summary.test.js`
// runs that file alone, `npx mocha` runs everything (the value of --ignore/--exclude names no file to run).
const args = process.argv.slice(2);
const namesTestFiles = args.some(
  (arg, index) => arg.endsWith(".test.js") && !arg.startsWith("-") && !/^--(ignore|exclude)$/.test(args[index - 1]),
);

// Test files run in parallel worker processes (--parallel; KOODRIVE_TEST_JOBS sets how many): on 2 cores, 3 of
// them keep both busy while engine tests wait on processes, deadlines and locks (test/README.md has the figures).
module.exports = {
  ...(namesTestFiles ? {} : { spec: ["dist/test/**/*.test.js"] }),
  parallel: true,
  jobs: Number(process.env.KOODRIVE_TEST_JOBS ?? 3),
  timeout: 60000,
  "enable-source-maps": true,
  require: ["dist/test/global-fixtures.js"],
};
