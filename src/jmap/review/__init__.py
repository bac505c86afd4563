"""Review: canonical formatting, semantic diff and git revisions."""
