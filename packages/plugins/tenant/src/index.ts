// @kiq/tenant: see README.md.
export {};
