export { connect } from './brokers';
export * from './brokers/types';
export * from './cli/errors';
export * from './config/types';
export { resolveContext } from './config/resolve';
