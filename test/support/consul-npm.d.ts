/** Minimal types for the parts of the npm `consul` client (1.x, untyped) the compatibility test uses. */
declare module "consul" {
  interface ConsulOptions {
    host?: string;
    port?: number;
    defaults?: { token?: string };
  }
  /** The npm Consul client. */
  export default class Consul {
    constructor(options?: ConsulOptions);
    destroy(): void;
    catalog: {
      register(options: Record<string, unknown>): Promise<unknown>;
      deregister(options: Record<string, unknown>): Promise<unknown>;
      service: { list(): Promise<unknown>; nodes(service: string): Promise<unknown> };
    };
    health: { service(options: { service: string; passing?: boolean }): Promise<unknown> };
    status: { leader(): Promise<string> };
  }
}
