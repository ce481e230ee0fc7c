import { documentedFiles } from '../helpers/doc-examples';
import { README_FILES, documentedExamplesSuite } from './docs-examples.test';

/** The examples of docs/*.md (docs/commands.md is generated from --help: its examples are the commands'). */
documentedExamplesSuite(
  documentedFiles().filter((f) => f !== 'docs/commands.md' && !README_FILES.includes(f)),
  60,
);
