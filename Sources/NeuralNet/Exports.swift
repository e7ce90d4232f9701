// `import NeuralNet` also brings in NeuroCore.
@_exported import NeuroCore
