import { KOODRIVE_CODES } from "../provider/client/koodrive-codes";

/** A complete HTTP answer, built before anything is written so a fault can still cut it short. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
}

/**
 * The `code` values the simulator answers with: KooDrive's as the client knows them (`KOODRIVE_CODES`,
 * which says which are documented), 13000201 (documented: inner server invoke failure), and the
 * simulator's own for failed authentication, unknown paths, wrong methods and oversized bodies, which the
 * reference documents no code for.
 */
export const ERROR_CODES = Object.freeze({
  ...KOODRIVE_CODES,
  innerServerError: 13000201,
  unauthorized: 13000401,
  notFound: 13000404,
  methodNotAllowed: 13000405,
  payloadTooLarge: 13000413,
});

/** A JSON reply. */
export function jsonReply(status: number, value: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return {
    status,
    contentType: "application/json;charset=UTF-8",
    body: typeof value === "string" ? value : JSON.stringify(value),
    ...(headers ? { headers } : {}),
  };
}

/** The service's error envelope `{"code": <non-zero>, "msg": "..."}`. */
export function errorReply(status: number, code: number, msg: string): Reply {
  return jsonReply(status, { code, msg });
}

/** The service's success envelope `{"code": 0, "msg": "success", ...fields}`. */
export function successReply(fields: Readonly<Record<string, unknown>> = {}): Reply {
  return jsonReply(200, { code: 0, msg: "success", ...fields });
}

/** 405 with an Allow header listing the methods the path takes. */
export function methodNotAllowedReply(method: string, allowed: readonly string[]): Reply {
  const allow = allowed.join(", ");
  const reply = errorReply(405, ERROR_CODES.methodNotAllowed, `method ${method} is not allowed here; use ${allow}`);
  return { ...reply, headers: { allow } };
}
