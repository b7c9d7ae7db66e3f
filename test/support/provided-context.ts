// What globalSetup hands to test files through vitest's provide()/inject().

declare module "vitest" {
  export interface ProvidedContext {
    /** Port of the run's private redis-server on 127.0.0.1. */
    redisPort: number;
  }
}

export {};
