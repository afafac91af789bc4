import { cloudMapError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { operationShape } from "./shapes.js";
import type { CloudMapState } from "./state.js";

/** GetOperation and ListOperations. */
export function operationHandlers(state: CloudMapState): HandlerTable {
  return {
    GetOperation(input: Input) {
      const id = input.str("OperationId");
      const op = state.operations.get(id);
      if (op === undefined) throw cloudMapError("OperationNotFound", `Operation not found: ${id}`);
      return { Operation: operationShape(state, op) };
    },
    ListOperations(input: Input) {
      const page = paginate(
        [...state.operations.values()],
        { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return {
        Operations: page.items.map((op) => ({ Id: op.id, Status: op.status })),
        NextToken: page.nextToken,
      };
    },
  };
}
