// `import Models` also brings in Recording and NeuroCore.
@_exported import Recording
