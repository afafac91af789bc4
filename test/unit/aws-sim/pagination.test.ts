import { describe, expect, it } from "vitest";
import { AwsApiError } from "../../../src/dev/aws-sim/errors.js";
import { paginate } from "../../../src/dev/aws-sim/pagination.js";

const invalid = (m: string) => new AwsApiError("InvalidParameterException", m);
const limits = { defaultSize: 10, maxSize: 100 };

describe("paginate", () => {
  it("walks every item exactly once and ends without a token", () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    const seen: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = paginate(items, { nextToken, maxResults: undefined }, limits, invalid);
      seen.push(...page.items);
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken !== undefined);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  it("rejects maxResults outside 1..max and garbage tokens", () => {
    expect(() => paginate([1], { nextToken: undefined, maxResults: 0 }, limits, invalid)).toThrow(
      AwsApiError,
    );
    expect(() => paginate([1], { nextToken: undefined, maxResults: 101 }, limits, invalid)).toThrow(
      AwsApiError,
    );
    expect(() => paginate([1], { nextToken: "!!not-a-token", maxResults: 1 }, limits, invalid)).toThrow(
      AwsApiError,
    );
  });
});
