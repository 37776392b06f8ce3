module.exports = require('@omise-sync/db/jest-preset').createJestConfig(__dirname);
