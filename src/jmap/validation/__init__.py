"""Validation: JSON Schema and semantic checks, the compiled validator and the fast path."""
