export { validateCompose } from './compose-validator';
export { describeObject, type K8sObject, parseManifests, type Problem } from './manifest';
export { checkPolicies, isSecretName } from './policy-checks';
export { checkReferences } from './reference-checks';
export { checkSecurity, PLACEHOLDER_DIGEST, type SecurityCheckOptions } from './security-checks';
export { hasSchema, validateSchema } from './schema-registry';
export { type ManifestReport, validateManifests } from './validate-manifests';
