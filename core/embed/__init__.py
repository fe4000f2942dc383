"""Embedding: text encoders (transformers, ONNX Runtime), the model registry, the store."""
