import type { ErrorCode, FieldIssue } from "../shared/contract.js";

/** An error a host reports to its client as it is (never an internal crash). */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = "EngineError";
  }
}

export const notFound = (what: string, id: string) => new EngineError("not-found", `${what} ${id} not found`);
