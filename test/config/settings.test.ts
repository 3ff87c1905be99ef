import assert from "node:assert/strict";
import { inspect } from "node:util";
import { REGION_ENDPOINTS } from "../../provider/client/endpoint";
import { resolveSettings } from "../../provider/config/settings";
import { TEST_APP, TEST_TOKEN, throwsWithCode } from "../helpers/secrets";

const APP_ENV = {
  KOODRIVE_APP_ID: TEST_APP.appId,
  KOODRIVE_APP_SECRET: TEST_APP.appSecret,
  KOODRIVE_USER_ID: TEST_APP.userId,
};

/** Settings from `env` alone, with a loopback endpoint unless `env` names one. */
const fromEnv = (env: Record<string, string>) =>
  resolveSettings({ env: { KOODRIVE_ENDPOINT: "http://127.0.0.1:1", ...env } });

const configurationError = (action: () => unknown) => throwsWithCode(action, "ERR_KOODRIVE_CONFIGURATION");

describe("resolveSettings", () => {
  describe("environment fallbacks", () => {
    it("reads endpoint, token and unit from the environment", () => {
      const settings = resolveSettings({
        env: { KOODRIVE_ENDPOINT: "intl", KOODRIVE_ACCESS_TOKEN: TEST_TOKEN, KOODRIVE_USED_SPACE_UNIT: "mb" },
      });
      assert.equal(settings.endpoint.href, `${REGION_ENDPOINTS.intl}/`);
      assert.equal(settings.credentials.mode, "token");
      assert.equal(settings.credentials.mode === "token" && settings.credentials.token.reveal(), TEST_TOKEN);
      assert.equal(settings.usedSpaceUnit, "MB");
    });

    it("reads app credentials from the environment", () => {
      const { credentials } = fromEnv(APP_ENV);
      assert.equal(credentials.mode, "app");
      assert.equal(credentials.mode === "app" && credentials.appSecret.reveal(), TEST_APP.appSecret);
      assert.equal(credentials.mode === "app" && credentials.userId, TEST_APP.userId);
    });

    it("prefers arguments to the environment, credentials as one group", () => {
      const settings = resolveSettings({
        endpoint: "cn",
        ...TEST_APP,
        env: { KOODRIVE_ENDPOINT: "intl", KOODRIVE_ACCESS_TOKEN: TEST_TOKEN },
      });
      assert.equal(settings.endpoint.origin, REGION_ENDPOINTS.cn);
      assert.equal(settings.credentials.mode, "app");
    });

    it("uses the documented defaults", () => {
      const settings = fromEnv({ KOODRIVE_ACCESS_TOKEN: TEST_TOKEN });
      assert.deepEqual(
        [settings.usedSpaceUnit, settings.timeoutMs, settings.retries, settings.deadlineMs, settings.retryBaseDelayMs],
        ["KB", 10_000, 2, 33_000, 500],
      );
    });

    it("keeps the token out of JSON and util.inspect of the settings", () => {
      const settings = fromEnv({ KOODRIVE_ACCESS_TOKEN: TEST_TOKEN });
      assert.ok(!JSON.stringify(settings).includes(TEST_TOKEN));
      assert.ok(!inspect(settings, { depth: 10 }).includes(TEST_TOKEN));
    });
  });

  describe("endpoint", () => {
    for (const [preset, url] of Object.entries(REGION_ENDPOINTS)) {
      it(`resolves the region preset ${preset} to ${url}`, () => {
        assert.equal(fromEnv({ KOODRIVE_ENDPOINT: preset, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN }).endpoint.origin, url);
      });
    }

    for (const url of ["http://127.0.0.1:8080", "http://localhost:3000/base", "http://[::1]:9000"]) {
      it(`accepts plain HTTP to the loopback address ${url}`, () => {
        assert.equal(resolveSettings({ endpoint: url, accessToken: TEST_TOKEN, env: {} }).endpoint.protocol, "http:");
      });
    }

    it("accepts a custom HTTPS base URL and drops its trailing slash", () => {
      const { endpoint } = resolveSettings({
        endpoint: "https://koodrive.example.com/api/",
        accessToken: "t",
        env: {},
      });
      assert.equal(endpoint.href, "https://koodrive.example.com/api");
    });

    it("refuses plain HTTP to any other host, suggesting https", () => {
      const error = configurationError(() =>
        resolveSettings({ endpoint: "http://koodrive.example.com", accessToken: TEST_TOKEN, env: {} }),
      );
      assert.match(error.message, /https:\/\/koodrive\.example\.com/);
    });

    const bad: [string, RegExp][] = [
      ["ftp://koodrive.example.com", /unsupported scheme/],
      ["not a url", /neither a region preset/],
      ["https://user:pw@koodrive.example.com", /user name or password/],
      ["https://koodrive.example.com/?x=1", /query string/],
      ["constructor", /neither a region preset/],
      ["toString", /neither a region preset/],
      ["__proto__", /neither a region preset/],
    ];
    for (const [endpoint, expected] of bad) {
      it(`refuses the endpoint ${endpoint}`, () => {
        const error = configurationError(() => resolveSettings({ endpoint, accessToken: TEST_TOKEN, env: {} }));
        assert.match(error.message, expected);
      });
    }

    it("refuses a missing endpoint, naming KOODRIVE_ENDPOINT", () => {
      const error = configurationError(() => resolveSettings({ accessToken: TEST_TOKEN, env: {} }));
      assert.match(error.message, /KOODRIVE_ENDPOINT/);
    });
  });

  describe("credentials", () => {
    it("refuses no credentials at all, naming the variables", () => {
      const error = configurationError(() => fromEnv({}));
      for (const name of ["KOODRIVE_ACCESS_TOKEN", "KOODRIVE_APP_ID", "KOODRIVE_APP_SECRET", "KOODRIVE_USER_ID"]) {
        assert.ok(error.message.includes(name), `${name} in ${error.message}`);
      }
    });

    it("refuses a token together with app credentials", () => {
      const error = configurationError(() => fromEnv({ KOODRIVE_ACCESS_TOKEN: TEST_TOKEN, ...APP_ENV }));
      assert.match(error.message, /conflicting/);
      assert.match(error.message, /KOODRIVE_ACCESS_TOKEN/);
    });

    for (const missing of Object.keys(APP_ENV)) {
      it(`refuses partial app credentials, naming the missing ${missing}`, () => {
        const partial = Object.fromEntries(Object.entries(APP_ENV).filter(([name]) => name !== missing));
        const error = configurationError(() => fromEnv(partial));
        assert.match(error.message, new RegExp(`${missing} is missing`));
      });
    }

    it("names argument keys, not variables, for partial arguments", () => {
      const error = configurationError(() =>
        resolveSettings({ endpoint: "cn", appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, env: {} }),
      );
      assert.match(error.message, /userId is missing/);
    });

    it("refuses a user id that is not decimal", () => {
      const error = configurationError(() => fromEnv({ ...APP_ENV, KOODRIVE_USER_ID: "user-1" }));
      assert.match(error.message, /KOODRIVE_USER_ID/);
    });
  });

  describe("numbers and unit", () => {
    for (const unit of ["B", "kb", " Mb ", "GB"]) {
      it(`accepts the unit "${unit}"`, () => {
        assert.equal(
          fromEnv({ KOODRIVE_ACCESS_TOKEN: TEST_TOKEN, KOODRIVE_USED_SPACE_UNIT: unit }).usedSpaceUnit,
          unit.trim().toUpperCase(),
        );
      });
    }

    it("refuses a bad unit from the environment, naming the variable and the choices", () => {
      const error = configurationError(() =>
        fromEnv({ KOODRIVE_ACCESS_TOKEN: TEST_TOKEN, KOODRIVE_USED_SPACE_UNIT: "TB" }),
      );
      assert.match(error.message, /KOODRIVE_USED_SPACE_UNIT/);
      assert.match(error.message, /B, KB, MB, GB/);
    });

    it("refuses a bad unit argument", () => {
      const error = configurationError(() =>
        resolveSettings({ endpoint: "cn", accessToken: TEST_TOKEN, usedSpaceUnit: "bytes", env: {} }),
      );
      assert.match(error.message, /usedSpaceUnit/);
    });

    const numbers: [string, Record<string, number>][] = [
      ["timeoutMs 0", { timeoutMs: 0 }],
      ["timeoutMs 1.5", { timeoutMs: 1.5 }],
      ["retries -1", { retries: -1 }],
      ["deadlineMs NaN", { deadlineMs: Number.NaN }],
    ];
    for (const [title, options] of numbers) {
      it(`refuses ${title}`, () => {
        const error = configurationError(() =>
          resolveSettings({ endpoint: "cn", accessToken: TEST_TOKEN, env: {}, ...options }),
        );
        assert.match(error.message, new RegExp(Object.keys(options)[0] as string));
      });
    }
  });
});
