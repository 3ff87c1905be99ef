import { inspect } from "node:util";

const REDACTED = "[secret]";

/**
 * Holds a credential so that it cannot leak by accident: printing, logging, JSON and
 * `util.inspect` all show `[secret]`. Only `reveal()` gives the value, at the point of use.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The credential itself; call it only to put it on the wire. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
