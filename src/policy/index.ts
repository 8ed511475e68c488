/** The policy engine's public surface: load/parse/compile a policy, decide, explain. */
export { parseByteSize } from './byte-size';
export { contentTypeAllowed, mediaTypeOf } from './content-types';
export { compilePolicy, PolicyError, type Explanation, type MatchedRule, type PolicyEngine } from './policy-engine';
export { loadPolicyFile, parsePolicy, type ParsePolicyOptions, type PolicyFormat, type PolicyParseResult } from './policy-file';
export { formatProblem, type PolicyProblem } from './policy-problems';
export { MAX_TTL_SECONDS, policyDocumentSchema, ruleSchema, validatePolicyDocument, type PolicyDocument, type PolicyDocumentInput, type PolicyRule } from './policy-schema';
export * from './types';
