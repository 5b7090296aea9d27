export * from './extension.errors.js';
