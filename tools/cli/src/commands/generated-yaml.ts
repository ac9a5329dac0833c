import { type CreateNodeOptions, type DocumentOptions, type SchemaOptions, type ToStringOptions } from 'yaml';

type YamlOptions = DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions;

/** What a generated file is made from, and where `wt <command>` writes it. */
export interface GeneratedFile {
  from: string;
  command: string;
  file: string;
}

/**
 * A generated YAML file: a header naming its source and how to regenerate it, then one document,
 * or several separated by `---`. Dev-time only: `yaml` is a dev dependency, absent from the runtime images.
 */
export async function generatedYaml(
  what: GeneratedFile,
  documents: object | readonly object[],
  options: YamlOptions = {},
): Promise<string> {
  const { stringify } = await import('yaml');
  const header = [
    `# GENERATED from ${what.from}: do not edit by hand.`,
    `# Regenerate: npx nx run cli:build && node dist/tools/cli/src/main.js ${what.command} > ${what.file}`,
  ].join('\n');
  if (!Array.isArray(documents)) return `${header}\n${stringify(documents, options)}`;
  return `${header}\n---\n${documents.map((document: object) => stringify(document, options).trimEnd()).join('\n---\n')}\n`;
}
