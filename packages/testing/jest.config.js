// The isolation tests (test/isolation-*.int.test.ts) need their two files in two workers at
// once. Jest runs a few files it remembers as fast in its own process instead, and it remembers
// file times only with its cache on, so this package runs without it.
module.exports = { ...require('./jest-preset').createJestConfig(__dirname), cache: false };
