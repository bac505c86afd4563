"""Loading: read a map file safely into a Document (miniyaml: the quick plain-YAML reader)."""
