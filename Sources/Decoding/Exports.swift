// `import Decoding` also brings in Recording, NeuralNet and NeuroCore.
@_exported import NeuralNet
@_exported import Recording
