/** This tool's name and version, as recorded in every manifest. A test keeps it equal to package.json. */
export const TOOL = { name: 'go-build-matrix', version: '0.1.0' } as const;
