module.exports = require('@omise-sync/testing/jest-preset').createJestConfig(__dirname, {
  services: false,
});
