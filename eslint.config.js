// ESLint with typescript-eslint's type-checked recommended rules over every TypeScript file.
// `no-floating-promises`, `no-misused-promises` and `await-thenable` matter most in Lambda code: a
// promise nobody awaits is work the runtime may freeze half done. Every rule switched off or
// narrowed below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.local/**', 'test-output/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The project's convention for a value deliberately left unused: a leading underscore
      // (`const { pk: _pk, ...item } = row`), or the rest siblings of a destructuring that drops keys.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Off: ports are async interfaces, and their in-memory and local implementations (fakes, the
      // outbox, the local bus) are `async` without awaiting anything. Wrapping each answer in
      // Promise.resolve would only hide them; the promise rules above catch what matters.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read HTTP answers and SDK mocks as untyped JSON on purpose: asserting on their shape is
    // what a test does, and the assertion is the check. Production code keeps every no-unsafe rule.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // These two patterns exist to refuse control characters in text fields: matching them is the point.
    files: ['shared/schema.ts', 'shared/messages/schemas.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
