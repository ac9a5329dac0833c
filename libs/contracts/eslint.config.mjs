import baseConfig from '../../eslint.config.mjs';

// ContractType instead of class-transformer's `@Type`, and no deep import into a package's private
// files: the workspace's rules (eslint.config.mjs, `workspaceImportRestrictions`).
export default [...baseConfig];
