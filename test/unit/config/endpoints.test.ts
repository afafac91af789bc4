import { describe, expect, it } from "vitest";
import { commonSettings, resolveEndpoints } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";

const endpoints = (flags: Record<string, string>, env: Record<string, string>) =>
  resolveEndpoints(resolveSettings(commonSettings, flags, env));

describe("the Application Auto Scaling endpoint", () => {
  it("comes from the flag, else AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING, else AWS_ENDPOINT_URL, else none", () => {
    const env = {
      AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: "http://127.0.0.1:2",
      AWS_ENDPOINT_URL: "http://127.0.0.1:3",
    };
    expect(
      endpoints({ "application-autoscaling-endpoint-url": "http://127.0.0.1:1" }, env).applicationAutoScaling,
    ).toBe("http://127.0.0.1:1");
    expect(endpoints({}, env).applicationAutoScaling).toBe("http://127.0.0.1:2");
    expect(endpoints({}, { AWS_ENDPOINT_URL: "http://127.0.0.1:3" }).applicationAutoScaling).toBe(
      "http://127.0.0.1:3",
    );
    expect(endpoints({}, {})).not.toHaveProperty("applicationAutoScaling");
  });

  it("refuses a value that is not a URL, naming the variable", () => {
    expect(() => endpoints({}, { AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: "not a url" })).toThrow(
      /AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING/,
    );
  });
});
