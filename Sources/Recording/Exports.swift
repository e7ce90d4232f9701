// `import Recording` also brings in NeuroCore (matrices, statistics, HDF5), as analysis scripts need both.
@_exported import NeuroCore
