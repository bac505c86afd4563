"""The journey model, built from a valid Document, and its themes."""
