// @kiq/limits: see README.md.
export {};
