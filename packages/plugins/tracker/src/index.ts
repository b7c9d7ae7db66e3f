// @kiq/tracker: see README.md.
export {};
