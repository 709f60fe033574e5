import type { CodegenConfig } from '@graphql-codegen/cli';

const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    scalars: { DateTime: 'string', JSON: 'unknown' },
    enumsAsTypes: true,
    useTypeImports: true,
  },
} as const;

/**
 * Typed documents generated against the committed schema: the operations a partner uses
 * (schema/operations/*.graphql), which the project's tests call the API through, and the settings pages'
 * own operations (web/src/graphql/*.graphql).
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'src/client/generated/': { ...typedDocuments, documents: ['schema/operations/**/*.graphql'] },
    'web/src/gql/': { ...typedDocuments, documents: ['web/src/graphql/**/*.graphql'] },
  },
  hooks: {},
};

export default config;
