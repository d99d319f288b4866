/** ESLint for the TypeScript tree, with type information; Prettier owns the layout, so no rule here is about it. */
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig } from "eslint/config";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";
import workerProject from "./tsconfig.worker.json" with { type: "json" };

// tsconfig.worker.json names the files (and folders) that run inside workerd.
const workerFiles = workerProject.include.map((path) => (path.endsWith(".ts") ? path : `${path}/**`));

export default defineConfig(
  { ignores: [".build/", ".wrangler/", "node_modules/", "content/", "coverage/", "data/", "test/fixtures/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // An adapter method is async to meet a Promise-returning interface (store, cache) even when its own work is synchronous.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Untrusted text reaches most patterns in src/: none may backtrack super-linearly, in one match or across a scan.
    files: ["src/**/*.ts"],
    plugins: { regexp },
    rules: { "regexp/no-super-linear-backtracking": "error", "regexp/no-super-linear-move": "error" },
  },
  {
    // The Workers files are typed with the Workers globals, which only tsconfig.worker.json loads.
    files: workerFiles,
    languageOptions: { parserOptions: { projectService: false, project: "./tsconfig.worker.json" } },
  },
  {
    // A declaration file that adds to a global namespace must stay a script, so it names other modules' types with import().
    files: ["**/*.d.ts"],
    rules: { "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }] },
  },
  {
    // Tests read parsed JSON and XML documents as `any` on purpose: the assertions are what check their shape.
    files: ["test/**"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  { files: ["**/*.js"], extends: [tseslint.configs.disableTypeChecked] },
  prettier,
);
